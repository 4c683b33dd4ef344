// IP address management, the pure part: which subnet a new network gets and which address a
// container gets. No I/O: the host's routes and addresses and the other networks' subnets are
// inputs, so every rule is a unit test. ipam_store.hpp persists the result under a lock.
// IPv6 beside IPv4: a network may have one v6 subnet too (enable_ipv6), allocated in step.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "net/ip.hpp"
#include "util/result.hpp"

namespace stack::net {

// A range that networks are carved from: `base` split into subnets of prefix length `size`.
struct AddressPool {
  Subnet base;
  int size = 24;
  auto operator<=>(const AddressPool&) const = default;
};

// Docker's default-address-pools: 172.17.0.0/16 .. 172.31.0.0/16 one /16 each, then
// 192.168.0.0/16 in /20s. Users and firewalls already expect these ranges, and a host that runs
// docker too is safe because docker's bridges show up as host routes and are skipped.
std::vector<AddressPool> default_pools();

// The IPv6 half of a request: an enable_ipv6 network's v6 `ipam.config` entry.
struct SubnetRequest6 {
  Subnet6 subnet;
  std::optional<Ipv6> gateway;     // none: the first host of the subnet
  std::optional<Subnet6> ip_range;
  std::map<std::string, Ipv6> aux_addresses;
  bool operator==(const SubnetRequest6&) const = default;
};

// What the stack file asks for (Compose `ipam.config`); all optional.
struct SubnetRequest {
  std::optional<Subnet> subnet;
  std::optional<Ipv4> gateway;
  std::optional<Subnet> ip_range;  // dynamic allocations come from here; static ones may not
  std::map<std::string, Ipv4> aux_addresses;  // reserved by name: never given to a container
  std::optional<SubnetRequest6> v6;           // set for enable_ipv6 networks
};

// What the rest of the world already uses.
struct IpamContext {
  std::vector<AddressPool> pools = default_pools();
  std::vector<Subnet> host_used;  // the host's routes and addresses (default routes are ignored)
  std::vector<Subnet> taken;      // other stack networks' subnets
  std::vector<Subnet6> host_used6;  // the host's IPv6 routes and addresses
  std::vector<Subnet6> taken6;      // other stack networks' IPv6 subnets
};

// An enable_ipv6 network's v6 state. Allocations are keyed by container name, as the v4 ones,
// and are made and released together with them.
struct IpamNetwork6 {
  Subnet6 subnet;
  Ipv6 gateway;
  std::optional<Subnet6> ip_range;
  std::map<std::string, Ipv6> allocations;
  std::map<std::string, Ipv6> reserved;

  Ipv6Interface gateway_interface() const { return {gateway, subnet.prefix}; }
  bool operator==(const IpamNetwork6&) const = default;
};

// One network's IPAM state; what networks/<name>.json holds.
struct IpamNetwork {
  std::string name;    // full network name, e.g. "demo_backend"
  std::string bridge;  // bridge_name(name), kept so that recovery needs no recomputation
  Subnet subnet;
  Ipv4 gateway;
  std::optional<Subnet> ip_range;
  std::map<std::string, Ipv4> allocations;  // container name -> address
  std::map<std::string, Ipv4> reserved;     // aux_addresses: name -> address, never allocated
  std::optional<IpamNetwork6> v6;           // enable_ipv6 networks

  Ipv4Interface gateway_interface() const { return {gateway, subnet.prefix}; }
  bool operator==(const IpamNetwork&) const = default;
};

// The first pool subnet, in pool order, that overlaps neither host_used nor taken.
util::Result<Subnet> select_subnet(const IpamContext& context);

// A new network: the explicit subnet/gateway/ip_range checked, or a subnet from the pools; the
// gateway defaults to the first address of the subnet.
util::Result<IpamNetwork> plan_network(const std::string& name, const SubnetRequest& request,
                                       const IpamContext& context);

// Whether a request is satisfied by an existing network: a network keeps its subnet for life, so
// an explicit value that differs is a conflict (the user must remove the network to change it).
util::Result<void> check_request(const IpamNetwork& network, const SubnetRequest& request);

// An address for key: the requested one if given (checked: inside the subnet, not the network,
// broadcast or gateway address, not held by another key), else the one key already holds, else
// the lowest free address of ip_range (or of the subnet). A network with v6 gives key a v6
// address in the same call by the same rules (requested6, else held, else lowest free); either
// failing changes nothing.
util::Result<Ipv4> allocate(IpamNetwork& network, const std::string& key,
                            const std::optional<Ipv4>& requested = std::nullopt,
                            const std::optional<Ipv6>& requested6 = std::nullopt);

// The v6 half (ipam6.cpp): a planned v6 subnet, a request checked against a stored one, and one
// key's v6 address. Finding the lowest free address costs O(allocations), whatever the size of
// the subnet (a /64 is never walked).
util::Result<IpamNetwork6> plan_network6(const SubnetRequest6& request, const IpamContext& context);
util::Result<void> check_request6(const std::string& name, const std::optional<IpamNetwork6>& network,
                                  const std::optional<SubnetRequest6>& request);
util::Result<Ipv6> allocate6(IpamNetwork6& network, const std::string& key,
                             const std::optional<Ipv6>& requested);

// Forgets key's addresses (v4 and v6); false if it had none.
bool release(IpamNetwork& network, const std::string& key);

}  // namespace stack::net
