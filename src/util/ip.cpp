#include "util/ip.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace stack::util {

namespace {

// Splits "a.b.c.d/n" into its parts; prefix is -1 when there is no '/'.
Result<std::pair<Ipv4, int>> parse_with_prefix(std::string_view text, bool need_prefix) {
  const auto slash = text.find('/');
  if (need_prefix && slash == std::string_view::npos)
    return util::fail(Errc::invalid_argument, "'" + std::string(text) + "' has no prefix length");
  STACK_ASSIGN_OR_RETURN(Ipv4 address, Ipv4::parse(text.substr(0, slash)));
  if (slash == std::string_view::npos) return std::pair{address, -1};
  const std::string_view digits = text.substr(slash + 1);
  int prefix = -1;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || prefix < 0 ||
      prefix > 32)
    return util::fail(Errc::invalid_argument,
                      "invalid prefix length in '" + std::string(text) + "'");
  return std::pair{address, prefix};
}

}  // namespace

Result<Ipv4> Ipv4::parse(std::string_view text) {
  // inet_pton accepts exactly dotted quads: no octal, no shorthand, unlike inet_aton.
  const std::string copy(text);
  in_addr raw{};
  if (inet_pton(AF_INET, copy.c_str(), &raw) != 1)
    return util::fail(Errc::invalid_argument, "invalid IPv4 address '" + copy + "'");
  return Ipv4{ntohl(raw.s_addr)};
}

std::string Ipv4::str() const {
  return std::to_string(value >> 24) + "." + std::to_string((value >> 16) & 0xff) + "." +
         std::to_string((value >> 8) & 0xff) + "." + std::to_string(value & 0xff);
}

uint32_t Subnet::mask() const { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }

Subnet Subnet::containing(Ipv4 address, int prefix) {
  Subnet subnet{Ipv4{}, prefix};
  subnet.base.value = address.value & subnet.mask();
  return subnet;
}

Result<Subnet> Subnet::parse(std::string_view text) {
  STACK_ASSIGN_OR_RETURN(auto parts, parse_with_prefix(text, true));
  const Subnet subnet = containing(parts.first, parts.second);
  if (subnet.base != parts.first)
    return util::fail(Errc::invalid_argument, "subnet '" + std::string(text) +
                                                  "' has host bits set (did you mean '" +
                                                  subnet.str() + "'?)");
  return subnet;
}

std::string Subnet::str() const { return base.str() + "/" + std::to_string(prefix); }

Result<Ipv4Interface> Ipv4Interface::parse(std::string_view text) {
  STACK_ASSIGN_OR_RETURN(auto parts, parse_with_prefix(text, true));
  return Ipv4Interface{parts.first, parts.second};
}

std::string Ipv4Interface::str() const { return address.str() + "/" + std::to_string(prefix); }

}  // namespace stack::util
