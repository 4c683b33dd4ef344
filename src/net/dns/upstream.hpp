// Where forwarded queries go: the host's resolvers (resolv_conf.hpp), or explicit ones
// ("10.0.0.1", "127.0.0.1:5353"; tests run a fake upstream on 127.0.0.1).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "net/ip.hpp"
#include "util/result.hpp"

namespace stack::net::dns {

struct Upstream {
  Ipv4 address;
  std::uint16_t port = 53;
  bool operator==(const Upstream&) const = default;
};

// "IP" or "IP:PORT".
util::Result<Upstream> parse_upstream(std::string_view text);
std::string format_upstream(const Upstream& upstream);

}  // namespace stack::net::dns
