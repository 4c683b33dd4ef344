#include "net/proxy/forward.hpp"

namespace stack::net::proxy {

util::Result<Protocol> parse_protocol(std::string_view text) {
  if (text == "tcp") return Protocol::tcp;
  if (text == "udp") return Protocol::udp;
  return util::fail(util::Errc::unsupported, "protocol '" + std::string(text) + "' (want tcp or udp)");
}

const char* protocol_name(Protocol protocol) { return protocol == Protocol::udp ? "udp" : "tcp"; }

std::string describe_listen(const Forward& forward) {
  return forward.host_ip.str() + ":" + std::to_string(forward.host_port) + "/" +
         protocol_name(forward.protocol);
}

}  // namespace stack::net::proxy
