// A published port as the proxy sees it: listen on host_ip:host_port, forward to
// target_ip:target_port. Runtime-agnostic plain data; the shim maps its own PortForward onto it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "net/ip.hpp"
#include "util/result.hpp"

namespace stack::net::proxy {

enum class Protocol { tcp, udp };

struct Forward {
  Protocol protocol = Protocol::tcp;
  Ipv4 host_ip;             // 0.0.0.0: every host address
  std::uint16_t host_port = 0;  // 0: the kernel picks one (tests)
  Ipv4 target_ip;
  std::uint16_t target_port = 0;
  bool operator==(const Forward&) const = default;
};

// "tcp" / "udp".
util::Result<Protocol> parse_protocol(std::string_view text);
const char* protocol_name(Protocol protocol);

// "127.0.0.1:8080/tcp": how errors name the listening side.
std::string describe_listen(const Forward& forward);

}  // namespace stack::net::proxy
