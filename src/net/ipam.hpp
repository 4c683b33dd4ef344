// IP address management, the pure part: which subnet a new network gets and which address a
// container gets. No I/O: the host's routes and addresses and the other networks' subnets are
// inputs, so every rule is a unit test. ipam_store.hpp persists the result under a lock.
// IPv4 only for now.
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

// What the stack file asks for (Compose `ipam.config`); all optional.
struct SubnetRequest {
  std::optional<Subnet> subnet;
  std::optional<Ipv4> gateway;
  std::optional<Subnet> ip_range;  // dynamic allocations come from here; static ones may not
  std::map<std::string, Ipv4> aux_addresses;  // reserved by name: never given to a container
};

// What the rest of the world already uses.
struct IpamContext {
  std::vector<AddressPool> pools = default_pools();
  std::vector<Subnet> host_used;  // the host's routes and addresses (default routes are ignored)
  std::vector<Subnet> taken;      // other stack networks' subnets
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
// the lowest free address of ip_range (or of the subnet).
util::Result<Ipv4> allocate(IpamNetwork& network, const std::string& key,
                            const std::optional<Ipv4>& requested = std::nullopt);

// Forgets key's address; false if it had none.
bool release(IpamNetwork& network, const std::string& key);

}  // namespace stack::net
