// What the host's network looks like, for the policy above: the subnets IPAM must avoid, and the
// ip_forward switch that bridged containers need to reach beyond their bridge.
#pragma once

#include <string_view>
#include <vector>

#include "net/ip.hpp"
#include "util/result.hpp"

namespace stack::net {

// The subnets of the calling thread's netns that are in use: every main-table IPv4 route except
// default routes, and the subnet of every IPv4 address. Routes and addresses on link
// `ignore_link` (the network's own bridge, when its file was lost and it is being re-planned) are
// left out.
util::Result<std::vector<Subnet>> host_used_subnets(std::string_view ignore_link = {});

// net.ipv4.ip_forward of the calling thread's netns (/proc/sys/net is per netns).
util::Result<bool> ip_forward();
// Sets it; true if the value changed.
util::Result<bool> set_ip_forward(bool enabled);

// net.ipv6.conf.all.forwarding, the same for IPv6 (networks with IPv6 that masquerade).
util::Result<bool> ip6_forward();
util::Result<bool> set_ip6_forward(bool enabled);

// The IPv6 subnets in use in the calling thread's netns: main-table IPv6 routes but the default
// and link-local ones, as host_used_subnets for IPv4.
util::Result<std::vector<Subnet6>> host_used_subnets6(std::string_view ignore_link = {});

}  // namespace stack::net
