// IPv6 on links over rtnetlink: an address without duplicate address detection (the address is
// chosen by IPAM, so it is usable at once rather than "tentative" for a second), and the default
// route. Stateless; each call acts in the calling thread's network namespace.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "net/ip.hpp"
#include "util/result.hpp"

namespace stack::net::nl {

// Adds address to link `name` with IFA_F_NODAD. False if the link already has it.
util::Result<bool> add_address6(std::string_view name, const Ipv6Interface& address);

// The IPv6 addresses of link `name` (global scope and link-local alike).
util::Result<std::vector<Ipv6Interface>> list_addresses6(std::string_view name);

struct RouteInfo6 {
  Subnet6 destination;  // ::/0 for a default route
  int ifindex = 0;      // of the first next hop, 0 if none
};

// The IPv6 routes of the main table (RT_TABLE_MAIN), as `ip -6 route` shows them.
util::Result<std::vector<RouteInfo6>> list_routes6();

// Adds "default via gateway dev dev" to the main IPv6 table. False if a default route exists.
util::Result<bool> add_default_route6(Ipv6 gateway, const std::string& dev);

}  // namespace stack::net::nl
