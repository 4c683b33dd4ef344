#include "net/ipam.hpp"

#include <set>

#include "net/detail.hpp"
#include "net/naming.hpp"

namespace stack::net {

using detail::in_quotes;
using util::Errc;
using util::Result;

namespace {

// A network needs a network address, a broadcast address, a gateway and at least one container.
constexpr int kMaxNetworkPrefix = 30;

// A default route (0.0.0.0/0) overlaps everything and says nothing about which addresses are in
// use on this host, so it never blocks a subnet.
const Subnet* first_overlap(const Subnet& candidate, const std::vector<Subnet>& used) {
  for (const Subnet& u : used) {
    if (u.prefix > 0 && u.overlaps(candidate)) return &u;
  }
  return nullptr;
}

// The next candidate after `candidate` in a pool, skipping the whole of `blocker` when the blocker
// is the larger of the two: a /8 route must not cost 65536 /24 iterations.
uint64_t next_candidate(const Subnet& candidate, const Subnet* blocker) {
  uint64_t next = uint64_t{candidate.base.value} + candidate.size();
  if (blocker != nullptr && blocker->prefix < candidate.prefix)
    next = uint64_t{blocker->broadcast().value} + 1;
  return next;
}

std::optional<Subnet> select_from_pool(const AddressPool& pool, const IpamContext& context) {
  const uint64_t end = uint64_t{pool.base.base.value} + pool.base.size();
  uint64_t at = pool.base.base.value;
  while (at < end) {
    const Subnet candidate{Ipv4{static_cast<uint32_t>(at)}, pool.size};
    const Subnet* blocker = first_overlap(candidate, context.host_used);
    if (blocker == nullptr) blocker = first_overlap(candidate, context.taken);
    if (blocker == nullptr) return candidate;
    at = next_candidate(candidate, blocker);
  }
  return std::nullopt;
}

Result<void> check_pool(const AddressPool& pool) {
  if (pool.size < pool.base.prefix || pool.size > kMaxNetworkPrefix)
    return util::fail(Errc::invalid_argument, "address pool " + in_quotes(pool.base.str()) +
                                                  " cannot be split into /" +
                                                  std::to_string(pool.size) + " subnets");
  return util::ok();
}

Result<void> check_explicit_subnet(const Subnet& subnet, const IpamContext& context) {
  if (subnet.prefix > kMaxNetworkPrefix)
    return util::fail(Errc::invalid_argument,
                      "subnet " + in_quotes(subnet.str()) + " is too small (at most /30)");
  // An explicit subnet over a host route would hijack that traffic (e.g. the host's own LAN),
  // so it is refused just as a pool subnet would be skipped.
  if (const Subnet* used = first_overlap(subnet, context.host_used))
    return util::fail(Errc::conflict, "subnet " + in_quotes(subnet.str()) +
                                          " overlaps the host's route or address " +
                                          in_quotes(used->str()));
  if (const Subnet* used = first_overlap(subnet, context.taken))
    return util::fail(Errc::conflict, "subnet " + in_quotes(subnet.str()) +
                                          " overlaps another network's subnet " +
                                          in_quotes(used->str()));
  return util::ok();
}

// A host address of the subnet: inside it and neither its network nor its broadcast address.
Result<void> check_host_address(const Subnet& subnet, Ipv4 address, const std::string& what) {
  if (!subnet.contains(address))
    return util::fail(Errc::invalid_argument, what + " " + in_quotes(address.str()) +
                                                  " is not in subnet " + in_quotes(subnet.str()));
  if (address == subnet.network() || address == subnet.broadcast())
    return util::fail(Errc::invalid_argument, what + " " + in_quotes(address.str()) +
                                                  " is the network or broadcast address of " +
                                                  in_quotes(subnet.str()));
  return util::ok();
}

Result<void> check_gateway_and_range(const IpamNetwork& network) {
  STACK_TRY(check_host_address(network.subnet, network.gateway, "gateway"));
  if (network.ip_range && !network.subnet.contains(*network.ip_range))
    return util::fail(Errc::invalid_argument, "ip_range " + in_quotes(network.ip_range->str()) +
                                                  " is not inside subnet " +
                                                  in_quotes(network.subnet.str()));
  return util::ok();
}

Result<void> check_requested(const IpamNetwork& network, const std::string& key, Ipv4 address) {
  STACK_TRY(check_host_address(network.subnet, address, "address"));
  if (address == network.gateway)
    return util::fail(Errc::conflict,
                      "address " + in_quotes(address.str()) + " is the network's gateway");
  for (const auto& [holder, held] : network.allocations) {
    if (held == address && holder != key)
      return util::fail(Errc::conflict, "address " + in_quotes(address.str()) +
                                            " is already used by " + in_quotes(holder));
  }
  for (const auto& [name, held] : network.reserved) {
    if (held == address)
      return util::fail(Errc::conflict, "address " + in_quotes(address.str()) +
                                            " is reserved as aux address " + in_quotes(name));
  }
  return util::ok();
}

Result<Ipv4> lowest_free(const IpamNetwork& network) {
  const Subnet range = network.ip_range.value_or(network.subnet);
  std::set<uint32_t> used{network.gateway.value, network.subnet.network().value,
                          network.subnet.broadcast().value};
  for (const auto& [holder, held] : network.allocations) used.insert(held.value);
  for (const auto& [name, held] : network.reserved) used.insert(held.value);
  const uint64_t end = uint64_t{range.base.value} + range.size();
  for (uint64_t at = range.base.value; at < end; ++at) {
    if (!used.contains(static_cast<uint32_t>(at))) return Ipv4{static_cast<uint32_t>(at)};
  }
  return util::fail(Errc::conflict, "no free address left in " + in_quotes(range.str()));
}

}  // namespace

std::vector<AddressPool> default_pools() {
  std::vector<AddressPool> pools;
  for (uint32_t second = 17; second <= 31; ++second)
    pools.push_back({Subnet{Ipv4{(172u << 24) | (second << 16)}, 16}, 16});
  pools.push_back({Subnet{Ipv4{(192u << 24) | (168u << 16)}, 16}, 20});
  return pools;
}

Result<Subnet> select_subnet(const IpamContext& context) {
  for (const AddressPool& pool : context.pools) {
    STACK_TRY(check_pool(pool));
    if (auto subnet = select_from_pool(pool, context)) return *subnet;
  }
  return util::fail(Errc::conflict,
                    "all address pools are in use (by other networks or the host's routes)");
}

Result<IpamNetwork> plan_network(const std::string& name, const SubnetRequest& request,
                                 const IpamContext& context) {
  STACK_TRY(check_network_name(name));
  IpamNetwork network;
  network.name = name;
  network.bridge = bridge_name(name);
  if (request.subnet) {
    STACK_TRY(detail::with_context(check_explicit_subnet(*request.subnet, context),
                                   "network " + in_quotes(name)));
    network.subnet = *request.subnet;
  } else if (request.gateway || request.ip_range) {
    return util::fail(Errc::invalid_argument, "network " + in_quotes(name) +
                                                  ": gateway and ip_range need an explicit subnet");
  } else {
    STACK_ASSIGN_OR_RETURN(network.subnet,
                           select_subnet(context).context("network " + in_quotes(name)));
  }
  network.gateway = request.gateway.value_or(Ipv4{network.subnet.base.value + 1});
  network.ip_range = request.ip_range;
  STACK_TRY(detail::with_context(check_gateway_and_range(network), "network " + in_quotes(name)));
  for (const auto& [host, address] : request.aux_addresses) {
    if (!network.subnet.contains(address) || address == network.gateway ||
        address == network.subnet.network() || address == network.subnet.broadcast()) {
      return util::fail(Errc::invalid_argument, "network " + in_quotes(name) + ": aux address " + in_quotes(host) +
                                                    " " + in_quotes(address.str()) +
                                                    " is not a host address of the subnet other than the gateway");
    }
  }
  network.reserved = request.aux_addresses;
  if (request.v6) {
    auto v6 = plan_network6(*request.v6, context);
    if (!v6) return std::move(v6).error().context("network " + in_quotes(name));
    network.v6 = std::move(*v6);
  }
  return network;
}

Result<void> check_request(const IpamNetwork& network, const SubnetRequest& request) {
  const std::string prefix = "network " + in_quotes(network.name) + " exists with ";
  const std::string fix = " (remove the network to change it)";
  if (request.subnet && *request.subnet != network.subnet)
    return util::fail(Errc::conflict, prefix + "subnet " + in_quotes(network.subnet.str()) +
                                          ", not " + in_quotes(request.subnet->str()) + fix);
  if (request.gateway && *request.gateway != network.gateway)
    return util::fail(Errc::conflict, prefix + "gateway " + in_quotes(network.gateway.str()) +
                                          ", not " + in_quotes(request.gateway->str()) + fix);
  if (request.aux_addresses != network.reserved && (!request.aux_addresses.empty() || request.subnet))
    return util::fail(Errc::conflict, prefix + "other aux_addresses" + fix);
  if (request.ip_range != network.ip_range && (request.ip_range || request.subnet))
    return util::fail(
        Errc::conflict,
        prefix + "ip_range " + in_quotes(network.ip_range ? network.ip_range->str() : "none") +
            ", not " + in_quotes(request.ip_range ? request.ip_range->str() : "none") + fix);
  return check_request6(network.name, network.v6, request.v6);
}

Result<Ipv4> allocate(IpamNetwork& network, const std::string& key,
                      const std::optional<Ipv4>& requested, const std::optional<Ipv6>& requested6) {
  const std::string where =
      "network " + in_quotes(network.name) + ": allocating for " + in_quotes(key);
  if (key.empty()) return util::fail(Errc::invalid_argument, where + ": empty key");
  // The v6 half on a copy first: a key gets both addresses or neither.
  std::optional<IpamNetwork6> v6 = network.v6;
  if (requested6 && !v6)
    return util::fail(Errc::invalid_argument, where + ": ipv6_address " + in_quotes(requested6->str()) +
                                                  " but the network has no IPv6 subnet");
  if (v6) {
    auto got = allocate6(*v6, key, requested6);
    if (!got) return std::move(got).error().context(where);
  }
  Ipv4 address;
  if (requested) {
    STACK_TRY(detail::with_context(check_requested(network, key, *requested), where));
    address = *requested;
  } else if (auto held = network.allocations.find(key); held != network.allocations.end()) {
    address = held->second;
  } else {
    STACK_ASSIGN_OR_RETURN(address, lowest_free(network).context(where));
  }
  network.allocations[key] = address;
  network.v6 = std::move(v6);
  return address;
}

bool release(IpamNetwork& network, const std::string& key) {
  if (network.v6) network.v6->allocations.erase(key);
  return network.allocations.erase(key) > 0;
}

}  // namespace stack::net
