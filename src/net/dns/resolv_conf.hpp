// The host's resolvers, for forwarding names the network does not own: the `nameserver` lines of
// resolv.conf(5). Pure parsing; the server reads /etc/resolv.conf once at start.
#pragma once

#include <string_view>
#include <vector>

#include "net/ip.hpp"

namespace stack::net::dns {

// IPv4 nameservers in file order; IPv6 ones and malformed lines are skipped (IPv4 only for now).
// exclude (the server's own address) is left out, so a server never forwards to itself.
std::vector<Ipv4> parse_nameservers(std::string_view resolv_conf, Ipv4 exclude = {});

}  // namespace stack::net::dns
