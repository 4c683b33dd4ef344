// A published port: listen on host_ip:host_port (or the first free port of a host range) and
// forward to target_ip:target_port. The one record of a published port from the scheduler through
// the shim's config and state to the proxy, with one JSON codec.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "net/ip.hpp"
#include "util/result.hpp"

namespace stack::net::proxy {

enum class Protocol { tcp, udp };

struct Forward {
  Protocol protocol = Protocol::tcp;
  Ipv4 host_ip;                      // 0.0.0.0: every host address
  std::uint16_t host_port = 0;       // 0: the kernel picks one
  Ipv4 target_ip;
  std::uint16_t target_port = 0;
  std::uint16_t host_port_last = 0;  // above host_port: the first free port of the range is taken
  bool operator==(const Forward&) const = default;
};

// "tcp" / "udp".
util::Result<Protocol> parse_protocol(std::string_view text);
const char* protocol_name(Protocol protocol);

// "127.0.0.1:8080/tcp", "0.0.0.0:8000-8010/udp": how errors name the listening side.
std::string describe_listen(const Forward& forward);

nlohmann::json encode_forward(const Forward& forward);
// Throws nlohmann::json::exception on a missing or mistyped field, as the codecs that embed it.
util::Result<Forward> decode_forward(const nlohmann::json& j);

}  // namespace stack::net::proxy
