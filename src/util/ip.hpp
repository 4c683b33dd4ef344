// IPv4 addresses and subnets as plain values: parsing, formatting and the arithmetic that the
// stack model, IPAM and the netlink layer share. IPv6 has its own types beside these (ip6.hpp).
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::util {

// An IPv4 address in host byte order, so that "next address" is ++.
struct Ipv4 {
  uint32_t value = 0;

  static util::Result<Ipv4> parse(std::string_view text);
  std::string str() const;
  auto operator<=>(const Ipv4&) const = default;
};

// A network prefix: "10.231.1.0/24". parse() rejects host bits; see Subnet::containing for the
// address-with-prefix form ("10.231.1.1/24") that interfaces carry.
struct Subnet {
  Ipv4 base;
  int prefix = 0;

  static util::Result<Subnet> parse(std::string_view text);
  // The subnet that holds address at prefix: (10.231.1.7, 24) -> 10.231.1.0/24.
  static Subnet containing(Ipv4 address, int prefix);

  std::string str() const;
  uint32_t mask() const;
  Ipv4 network() const { return base; }
  Ipv4 broadcast() const { return Ipv4{base.value | ~mask()}; }
  uint64_t size() const { return uint64_t{1} << (32 - prefix); }
  bool contains(Ipv4 address) const { return (address.value & mask()) == base.value; }
  bool contains(const Subnet& other) const {
    return other.prefix >= prefix && contains(other.base);
  }
  bool overlaps(const Subnet& other) const { return contains(other) || other.contains(*this); }
  auto operator<=>(const Subnet&) const = default;
};

// An address on an interface with its prefix: "10.231.1.2/24".
struct Ipv4Interface {
  Ipv4 address;
  int prefix = 0;

  static util::Result<Ipv4Interface> parse(std::string_view text);
  Subnet subnet() const { return Subnet::containing(address, prefix); }
  std::string str() const;
  auto operator<=>(const Ipv4Interface&) const = default;
};

}  // namespace stack::util
