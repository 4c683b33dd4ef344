#include "net/proxy/forward.hpp"

#include <arpa/inet.h>

#include <nlohmann/json.hpp>

namespace stack::net::proxy {

util::Result<Protocol> parse_protocol(std::string_view text) {
  if (text == "tcp") return Protocol::tcp;
  if (text == "udp") return Protocol::udp;
  return util::fail(util::Errc::unsupported, "protocol '" + std::string(text) + "' (want tcp or udp)");
}

const char* protocol_name(Protocol protocol) { return protocol == Protocol::udp ? "udp" : "tcp"; }

util::Result<std::string> parse_host_ip(std::string_view text) {
  if (text.empty()) return std::string();
  const std::string s(text);
  unsigned char bytes[16];
  char out[INET6_ADDRSTRLEN];
  for (int family : {AF_INET, AF_INET6}) {
    if (::inet_pton(family, s.c_str(), bytes) == 1 && ::inet_ntop(family, bytes, out, sizeof out)) return std::string(out);
  }
  return util::fail(util::Errc::invalid_argument, "'" + s + "' is not an IPv4 or IPv6 address");
}

std::vector<std::string> listen_ips(const Forward& forward) {
  if (forward.host_ip.empty()) return {"0.0.0.0", "::"};
  return {forward.host_ip};
}

std::string with_brackets(const std::string& ip) {
  return ip.find(':') == std::string::npos ? ip : "[" + ip + "]";
}

std::string describe_listen(const Forward& forward) {
  std::string ports = std::to_string(forward.host_port);
  if (forward.host_port_last > forward.host_port) ports += "-" + std::to_string(forward.host_port_last);
  const std::string ip = forward.host_ip.empty() ? "*" : with_brackets(forward.host_ip);
  return ip + ":" + ports + "/" + protocol_name(forward.protocol);
}

nlohmann::json encode_forward(const Forward& f) {
  nlohmann::json j = {{"protocol", protocol_name(f.protocol)},
                      {"host_ip", f.host_ip},
                      {"host_port", f.host_port},
                      {"target_ip", f.target_ip.str()},
                      {"target_port", f.target_port}};
  if (f.host_port_last > f.host_port) j["host_port_last"] = f.host_port_last;
  return j;
}

util::Result<Forward> decode_forward(const nlohmann::json& j) {
  Forward f;
  STACK_ASSIGN_OR_RETURN(f.protocol, parse_protocol(j.at("protocol").get<std::string>()));
  STACK_ASSIGN_OR_RETURN(f.host_ip, parse_host_ip(j.at("host_ip").get<std::string>()).context("host_ip"));
  f.host_port = j.at("host_port").get<std::uint16_t>();
  f.host_port_last = j.value("host_port_last", std::uint16_t{0});
  STACK_ASSIGN_OR_RETURN(f.target_ip, Ipv4::parse(j.at("target_ip").get<std::string>()).context("target_ip"));
  f.target_port = j.at("target_port").get<std::uint16_t>();
  return f;
}

}  // namespace stack::net::proxy
