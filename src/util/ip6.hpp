// IPv6 addresses and subnets as plain values, beside the IPv4 ones of ip.hpp: parsing, formatting
// and the little arithmetic that IPAM needs. Two 64-bit halves in host order, so that "next
// address" and "the n-th host" are integer operations.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::util {

struct Ipv6 {
  uint64_t hi = 0;
  uint64_t lo = 0;

  static util::Result<Ipv6> parse(std::string_view text);
  static Ipv6 from_bytes(const std::array<uint8_t, 16>& bytes);
  std::array<uint8_t, 16> bytes() const;
  std::string str() const;  // RFC 5952 form, as inet_ntop writes it
  Ipv6 plus(uint64_t n) const;  // wraps within the 128 bits
  auto operator<=>(const Ipv6&) const = default;
};

// A network prefix: "fd5c:231:89::/64". parse() rejects host bits.
struct Subnet6 {
  Ipv6 base;
  int prefix = 0;

  static util::Result<Subnet6> parse(std::string_view text);
  static Subnet6 containing(Ipv6 address, int prefix);

  std::string str() const;
  bool contains(Ipv6 address) const { return containing(address, prefix).base == base; }
  bool contains(const Subnet6& other) const { return other.prefix >= prefix && contains(other.base); }
  bool overlaps(const Subnet6& other) const { return contains(other) || other.contains(*this); }
  Ipv6 last() const;  // the highest address of the subnet
  auto operator<=>(const Subnet6&) const = default;
};

struct Ipv6Interface {
  Ipv6 address;
  int prefix = 0;
  Subnet6 subnet() const { return Subnet6::containing(address, prefix); }
  std::string str() const;
  auto operator<=>(const Ipv6Interface&) const = default;
};

// Whether text looks like an IPv6 address or prefix (has a ':'), to choose a parser and a message.
inline bool looks_like_ipv6(std::string_view text) { return text.find(':') != std::string_view::npos; }

}  // namespace stack::util
