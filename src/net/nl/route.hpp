// IPv4 routes of the main table over rtnetlink: the container's default route and the host's
// routes that IPAM must not overlap. Stateless; each call acts in the calling thread's netns.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "net/ip.hpp"
#include "util/result.hpp"

namespace stack::net::nl {

struct RouteInfo {
  Subnet destination;           // 0.0.0.0/0 for a default route
  std::optional<Ipv4> gateway;  // of the first next hop, if it has one
  int ifindex = 0;              // of the first next hop, 0 if none
  unsigned table = 0;
  bool operator==(const RouteInfo&) const = default;
};

// Adds "default via gateway" (table main, protocol static), optionally pinned to link `dev`.
// False if a default route already exists.
util::Result<bool> add_default_route(Ipv4 gateway, const std::string& dev = {});

// The IPv4 routes of the main table (RT_TABLE_MAIN), as `ip route` shows them.
util::Result<std::vector<RouteInfo>> list_routes();

}  // namespace stack::net::nl
