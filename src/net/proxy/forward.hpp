// A published port: listen on host_ip:host_port (or the first free port of a host range) and
// forward to target_ip:target_port. The one record of a published port from the scheduler through
// the shim's config and state to the proxy, with one JSON codec.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "net/ip.hpp"
#include "util/result.hpp"

namespace stack::net::proxy {

enum class Protocol { tcp, udp };

struct Forward {
  Protocol protocol = Protocol::tcp;
  // An IPv4 or IPv6 address, canonical ("127.0.0.1", "::1"; "0.0.0.0" and "::" are every address
  // of their family), or "" for every address of both, as docker publishes a port given none.
  std::string host_ip;
  std::uint16_t host_port = 0;       // 0: the kernel picks one
  Ipv4 target_ip;
  std::uint16_t target_port = 0;
  std::uint16_t host_port_last = 0;  // above host_port: the first free port of the range is taken
  bool operator==(const Forward&) const = default;
};

// "tcp" / "udp".
util::Result<Protocol> parse_protocol(std::string_view text);
const char* protocol_name(Protocol protocol);

// The canonical form of an IPv4 or IPv6 address ("::0001" is "::1"), or "" for ""; an error naming
// text when it is neither.
util::Result<std::string> parse_host_ip(std::string_view text);
// The addresses a forward listens on, as docker lists them: "" is {"0.0.0.0", "::"}.
std::vector<std::string> listen_ips(const Forward& forward);
// "127.0.0.1", "[::1]": an address as it goes before ":port".
std::string with_brackets(const std::string& ip);

// "127.0.0.1:8080/tcp", "[::1]:8000-8010/udp", "*:80/tcp" (every address of both families): how
// errors name the listening side.
std::string describe_listen(const Forward& forward);

nlohmann::json encode_forward(const Forward& forward);
// Throws nlohmann::json::exception on a missing or mistyped field, as the codecs that embed it.
util::Result<Forward> decode_forward(const nlohmann::json& j);

}  // namespace stack::net::proxy
