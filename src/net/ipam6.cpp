// IPAM for the IPv6 half of a network. The rules are the v4 ones (ipam.cpp) where they make
// sense: an explicit subnet only (no v6 pools: docker needs one configured too), no overlap with
// the host's routes or another stack network, the gateway the first host unless given, the
// subnet-router anycast address (the subnet's first) never handed out. There is no broadcast.
#include <set>

#include "net/detail.hpp"
#include "net/ipam.hpp"

namespace stack::net {

using detail::in_quotes;
using util::Errc;
using util::Result;

namespace {

// Room for the anycast address, the gateway and one container.
constexpr int kMaxNetworkPrefix6 = 126;

const Subnet6* first_overlap6(const Subnet6& candidate, const std::vector<Subnet6>& used) {
  for (const Subnet6& u : used) {
    if (u.prefix > 0 && u.overlaps(candidate)) return &u;  // ::/0 says nothing about local use
  }
  return nullptr;
}

Result<void> check_host_address6(const Subnet6& subnet, Ipv6 address, const std::string& what) {
  if (!subnet.contains(address))
    return util::fail(Errc::invalid_argument,
                      what + " " + in_quotes(address.str()) + " is not in subnet " + in_quotes(subnet.str()));
  if (address == subnet.base)
    return util::fail(Errc::invalid_argument,
                      what + " " + in_quotes(address.str()) + " is the subnet-router address of " + in_quotes(subnet.str()));
  return util::ok();
}

Result<void> check_requested6(const IpamNetwork6& network, const std::string& key, Ipv6 address) {
  STACK_TRY(check_host_address6(network.subnet, address, "address"));
  if (address == network.gateway)
    return util::fail(Errc::conflict, "address " + in_quotes(address.str()) + " is the network's gateway");
  for (const auto& [holder, held] : network.allocations) {
    if (held == address && holder != key)
      return util::fail(Errc::conflict, "address " + in_quotes(address.str()) + " is already used by " + in_quotes(holder));
  }
  for (const auto& [name, held] : network.reserved) {
    if (held == address)
      return util::fail(Errc::conflict, "address " + in_quotes(address.str()) + " is reserved as aux address " + in_quotes(name));
  }
  return util::ok();
}

// The lowest address of the range that nothing holds: walks the held set, never the range, so a
// /64 costs what its allocations cost.
Result<Ipv6> lowest_free6(const IpamNetwork6& network) {
  const Subnet6 range = network.ip_range.value_or(network.subnet);
  std::set<Ipv6> used{network.gateway, network.subnet.base};
  for (const auto& [holder, held] : network.allocations) used.insert(held);
  for (const auto& [name, held] : network.reserved) used.insert(held);
  const Ipv6 last = range.last();
  Ipv6 at = range.base;
  for (auto it = used.lower_bound(at); it != used.end() && *it == at; ++it) {
    if (at == last) return util::fail(Errc::conflict, "no free address left in " + in_quotes(range.str()));
    at = at.plus(1);
  }
  return at;
}

}  // namespace

Result<IpamNetwork6> plan_network6(const SubnetRequest6& request, const IpamContext& context) {
  const Subnet6& subnet = request.subnet;
  if (subnet.prefix > kMaxNetworkPrefix6)
    return util::fail(Errc::invalid_argument, "subnet " + in_quotes(subnet.str()) + " is too small (at most /126)");
  if (const Subnet6* used = first_overlap6(subnet, context.host_used6))
    return util::fail(Errc::conflict, "subnet " + in_quotes(subnet.str()) + " overlaps the host's route or address " +
                                          in_quotes(used->str()));
  if (const Subnet6* used = first_overlap6(subnet, context.taken6))
    return util::fail(Errc::conflict, "subnet " + in_quotes(subnet.str()) + " overlaps another network's subnet " +
                                          in_quotes(used->str()));
  IpamNetwork6 network{subnet, request.gateway.value_or(subnet.base.plus(1)), request.ip_range, {}, {}};
  STACK_TRY(check_host_address6(subnet, network.gateway, "gateway"));
  if (network.ip_range && !subnet.contains(*network.ip_range))
    return util::fail(Errc::invalid_argument, "ip_range " + in_quotes(network.ip_range->str()) +
                                                  " is not inside subnet " + in_quotes(subnet.str()));
  for (const auto& [host, address] : request.aux_addresses) {
    if (!subnet.contains(address) || address == network.gateway || address == subnet.base)
      return util::fail(Errc::invalid_argument, "aux address " + in_quotes(host) + " " + in_quotes(address.str()) +
                                                    " is not a host address of the subnet other than the gateway");
  }
  network.reserved = request.aux_addresses;
  return network;
}

Result<void> check_request6(const std::string& name, const std::optional<IpamNetwork6>& network,
                            const std::optional<SubnetRequest6>& request) {
  const std::string prefix = "network " + in_quotes(name) + " exists ";
  const std::string fix = " (remove the network to change it)";
  if (!network && !request) return util::ok();
  if (!network) return util::fail(Errc::conflict, prefix + "without IPv6" + fix);
  if (!request) return util::fail(Errc::conflict, prefix + "with IPv6 subnet " + in_quotes(network->subnet.str()) + fix);
  if (request->subnet != network->subnet)
    return util::fail(Errc::conflict, prefix + "with subnet " + in_quotes(network->subnet.str()) + ", not " +
                                          in_quotes(request->subnet.str()) + fix);
  if (request->gateway && *request->gateway != network->gateway)
    return util::fail(Errc::conflict, prefix + "with gateway " + in_quotes(network->gateway.str()) + ", not " +
                                          in_quotes(request->gateway->str()) + fix);
  if (request->ip_range != network->ip_range)
    return util::fail(Errc::conflict, prefix + "with another IPv6 ip_range" + fix);
  if (request->aux_addresses != network->reserved)
    return util::fail(Errc::conflict, prefix + "with other IPv6 aux_addresses" + fix);
  return util::ok();
}

Result<Ipv6> allocate6(IpamNetwork6& network, const std::string& key, const std::optional<Ipv6>& requested) {
  if (requested) {
    STACK_TRY(check_requested6(network, key, *requested));
    network.allocations[key] = *requested;
    return *requested;
  }
  if (auto held = network.allocations.find(key); held != network.allocations.end()) return held->second;
  STACK_ASSIGN_OR_RETURN(Ipv6 address, lowest_free6(network));
  network.allocations[key] = address;
  return address;
}

}  // namespace stack::net
