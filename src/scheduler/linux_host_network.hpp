// The HostNetwork of a Linux host: net::Network (netlink) for links, net/netns for namespaces,
// nftables for the firewall, the `stack dns-server` helper, and bind() for ports.
#pragma once

#include <memory>

#include "scheduler/host_network.hpp"

namespace stack::scheduler {

std::unique_ptr<HostNetwork> make_linux_host_network(std::unique_ptr<net::Network> links);

}  // namespace stack::scheduler
