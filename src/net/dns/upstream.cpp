#include "net/dns/upstream.hpp"

#include <charconv>

namespace stack::net::dns {

util::Result<Upstream> parse_upstream(std::string_view text) {
  Upstream out;
  const std::size_t colon = text.find(':');
  STACK_ASSIGN_OR_RETURN(out.address, Ipv4::parse(text.substr(0, colon)));
  if (colon == std::string_view::npos) return out;
  std::string_view port = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
    return util::fail(util::Errc::invalid_argument, "upstream '" + std::string(text) + "': bad port");
  }
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

std::string format_upstream(const Upstream& upstream) {
  return upstream.address.str() + ":" + std::to_string(upstream.port);
}

}  // namespace stack::net::dns
