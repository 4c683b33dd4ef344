#include "util/ip6.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace stack::util {

namespace {

// The mask of the upper half and of the lower half for a prefix length.
std::pair<uint64_t, uint64_t> masks(int prefix) {
  auto part = [](int bits) -> uint64_t {
    if (bits <= 0) return 0;
    if (bits >= 64) return ~uint64_t{0};
    return ~uint64_t{0} << (64 - bits);
  };
  return {part(prefix), part(prefix - 64)};
}

}  // namespace

Result<Ipv6> Ipv6::parse(std::string_view text) {
  const std::string copy(text);
  std::array<uint8_t, 16> raw{};
  if (inet_pton(AF_INET6, copy.c_str(), raw.data()) != 1)
    return util::fail(Errc::invalid_argument, "invalid IPv6 address '" + copy + "'");
  return from_bytes(raw);
}

Ipv6 Ipv6::from_bytes(const std::array<uint8_t, 16>& b) {
  Ipv6 a;
  for (int i = 0; i < 8; ++i) a.hi = (a.hi << 8) | b[i];
  for (int i = 8; i < 16; ++i) a.lo = (a.lo << 8) | b[i];
  return a;
}

std::array<uint8_t, 16> Ipv6::bytes() const {
  std::array<uint8_t, 16> b{};
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) b[8 + i] = static_cast<uint8_t>(lo >> (56 - 8 * i));
  return b;
}

std::string Ipv6::str() const {
  const auto b = bytes();
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, b.data(), text, sizeof text);
  return text;
}

Ipv6 Ipv6::plus(uint64_t n) const {
  Ipv6 out{hi, lo + n};
  if (out.lo < lo) ++out.hi;
  return out;
}

Subnet6 Subnet6::containing(Ipv6 address, int prefix) {
  const auto [mh, ml] = masks(prefix);
  return {Ipv6{address.hi & mh, address.lo & ml}, prefix};
}

Ipv6 Subnet6::last() const {
  const auto [mh, ml] = masks(prefix);
  return Ipv6{base.hi | ~mh, base.lo | ~ml};
}

Result<Subnet6> Subnet6::parse(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos)
    return util::fail(Errc::invalid_argument, "'" + std::string(text) + "' has no prefix length");
  STACK_ASSIGN_OR_RETURN(Ipv6 address, Ipv6::parse(text.substr(0, slash)));
  const std::string_view digits = text.substr(slash + 1);
  int prefix = -1;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || prefix < 0 || prefix > 128)
    return util::fail(Errc::invalid_argument, "invalid prefix length in '" + std::string(text) + "'");
  const Subnet6 subnet = containing(address, prefix);
  if (subnet.base != address)
    return util::fail(Errc::invalid_argument, "subnet '" + std::string(text) + "' has host bits set (did you mean '" +
                                                  subnet.str() + "'?)");
  return subnet;
}

std::string Subnet6::str() const { return base.str() + "/" + std::to_string(prefix); }

std::string Ipv6Interface::str() const { return address.str() + "/" + std::to_string(prefix); }

}  // namespace stack::util
