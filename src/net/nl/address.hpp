// IPv4 addresses on links over rtnetlink (IPv6 ones: inet6.hpp). Stateless; each call acts in the
// calling thread's network namespace.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "net/ip.hpp"
#include "util/result.hpp"

namespace stack::net::nl {

struct AddressInfo {
  int ifindex = 0;
  std::string ifname;     // resolved from ifindex; empty if the link vanished meanwhile
  Ipv4Interface address;  // local address and prefix, e.g. 10.231.1.1/24
  bool operator==(const AddressInfo&) const = default;
};

// Adds address (with its broadcast address) to link `name`. False if the link already has it.
util::Result<bool> add_address(std::string_view name, const Ipv4Interface& address);

// Removes address from link `name`. False if the link did not have it.
util::Result<bool> remove_address(std::string_view name, const Ipv4Interface& address);

// Every IPv4 address in this netns, or those of one link when `name` is given.
util::Result<std::vector<AddressInfo>> list_addresses(std::string_view name = {});

}  // namespace stack::net::nl
