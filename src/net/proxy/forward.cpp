#include "net/proxy/forward.hpp"

#include <nlohmann/json.hpp>

namespace stack::net::proxy {

util::Result<Protocol> parse_protocol(std::string_view text) {
  if (text == "tcp") return Protocol::tcp;
  if (text == "udp") return Protocol::udp;
  return util::fail(util::Errc::unsupported, "protocol '" + std::string(text) + "' (want tcp or udp)");
}

const char* protocol_name(Protocol protocol) { return protocol == Protocol::udp ? "udp" : "tcp"; }

std::string describe_listen(const Forward& forward) {
  std::string ports = std::to_string(forward.host_port);
  if (forward.host_port_last > forward.host_port) ports += "-" + std::to_string(forward.host_port_last);
  return forward.host_ip.str() + ":" + ports + "/" + protocol_name(forward.protocol);
}

nlohmann::json encode_forward(const Forward& f) {
  nlohmann::json j = {{"protocol", protocol_name(f.protocol)},
                      {"host_ip", f.host_ip.str()},
                      {"host_port", f.host_port},
                      {"target_ip", f.target_ip.str()},
                      {"target_port", f.target_port}};
  if (f.host_port_last > f.host_port) j["host_port_last"] = f.host_port_last;
  return j;
}

util::Result<Forward> decode_forward(const nlohmann::json& j) {
  Forward f;
  STACK_ASSIGN_OR_RETURN(f.protocol, parse_protocol(j.at("protocol").get<std::string>()));
  STACK_ASSIGN_OR_RETURN(f.host_ip, Ipv4::parse(j.at("host_ip").get<std::string>()).context("host_ip"));
  f.host_port = j.at("host_port").get<std::uint16_t>();
  f.host_port_last = j.value("host_port_last", std::uint16_t{0});
  STACK_ASSIGN_OR_RETURN(f.target_ip, Ipv4::parse(j.at("target_ip").get<std::string>()).context("target_ip"));
  f.target_port = j.at("target_port").get<std::uint16_t>();
  return f;
}

}  // namespace stack::net::proxy
