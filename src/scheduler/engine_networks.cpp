// Project networks and volumes: bridges through net::Network with subnets from the IPAM store,
// each with its nftables table (isolation, masquerading), and volume directories under
// <root>/volumes. Each is recorded in the project state before it
// is made, so a crash in between leaves something `down` knows to remove.
#include <algorithm>
#include <filesystem>
#include <future>

#include "net/dns/records.hpp"
#include "net/naming.hpp"
#include "scheduler/engine_impl.hpp"
#include "util/file_lock.hpp"
#include "util/state_root.hpp"

namespace stack::scheduler {

using util::Errc;
using util::Error;
using util::Result;

namespace fs = std::filesystem;

namespace {

net::SubnetRequest subnet_request(const spec::Network& n) {
  net::SubnetRequest r;
  if (n.enable_ipv6 && !n.ipam6.empty()) {
    const spec::IpamPool6& pool6 = n.ipam6.front();
    r.v6 = net::SubnetRequest6{pool6.subnet, pool6.gateway, pool6.ip_range, pool6.aux_addresses};
  }
  if (n.ipam.empty()) return r;
  const spec::IpamPool& pool = n.ipam.front();
  r.subnet = pool.subnet;
  r.gateway = pool.gateway;
  r.ip_range = pool.ip_range;
  r.aux_addresses = pool.aux_addresses;
  return r;
}

Result<unsigned> mtu_of(const spec::Network& n) {
  auto it = n.driver_opts.find("com.docker.network.driver.mtu");
  if (it == n.driver_opts.end()) return 0u;
  try {
    unsigned long mtu = std::stoul(it->second);
    if (mtu >= 68 && mtu <= 65535) return static_cast<unsigned>(mtu);
  } catch (const std::exception&) {
  }
  return Error(Errc::invalid_argument, "network " + n.key + ": mtu '" + it->second + "' is not a number in 68..65535");
}

// A boolean driver option over the engine's default; internal networks never have it on. Values
// as Go's strconv.ParseBool reads them, which is what docker accepts.
Result<bool> switch_of(const spec::Network& n, const char* option, bool by_default) {
  if (n.internal) return false;
  auto it = n.driver_opts.find(option);
  if (it == n.driver_opts.end()) return by_default;
  for (const char* yes : {"1", "t", "T", "true", "TRUE", "True"}) {
    if (it->second == yes) return true;
  }
  for (const char* no : {"0", "f", "F", "false", "FALSE", "False"}) {
    if (it->second == no) return false;
  }
  return Error(Errc::invalid_argument, "network " + n.key + ": " + option + " '" + it->second + "' is not a boolean");
}

// docker's per-network switch, over the engine's default (--ip-masq).
Result<bool> masquerade_of(const spec::Network& n, bool by_default) {
  return switch_of(n, "com.docker.network.bridge.enable_ip_masquerade", by_default);
}

// Whether the network's DNS server forwards names it does not own, as docker's embedded DNS does
// by default (--dns-forward).
Result<bool> dns_forward_of(const spec::Network& n, bool by_default) {
  return switch_of(n, "stack.dns.forward", by_default);
}

}  // namespace

const spec::Network* Engine::Impl::network_of(const spec::Stack& stack, const std::string& key) const {
  return stack.find_network(key);
}

Result<void> Engine::Impl::ensure_networks(const spec::Stack& stack, ProjectState& state,
                                           const std::vector<Found>& found) {
  std::vector<DesiredNetwork> desired;
  std::vector<ObservedNetwork> observed;
  for (const spec::Network& n : stack.networks) {
    if (n.driver != "bridge" && !n.external) {
      return Error(Errc::unsupported, "network " + n.key + ": driver '" + n.driver + "' is not supported (bridge only)");
    }
    desired.push_back({n.name, n.external});
    if (n.external) {
      STACK_ASSIGN_OR_RETURN(auto stored, ipam.load(n.name));
      if (!stored) {
        return Error(Errc::not_found, "network " + n.name + " declared as external, but could not be found");
      }
      continue;
    }
    STACK_ASSIGN_OR_RETURN(ObservedNetwork o, observe_network(n));
    observed.push_back(std::move(o));
  }
  STACK_ASSIGN_OR_RETURN(std::vector<ObservedEndpoint> endpoints, observe_endpoints(stack, found));
  NetworkPlan plan = plan_networks(desired, observed, endpoints);
  for (const spec::Network& n : stack.networks) {
    if (n.external) continue;
    auto step = std::find_if(plan.steps.begin(), plan.steps.end(), [&](const NetworkStep& s) { return s.network == n.name; });
    STACK_TRY(apply_network_step(stack, n, step == plan.steps.end() ? NetworkStep{n.name} : *step, state));
  }
  return util::ok();
}

Result<ObservedNetwork> Engine::Impl::observe_network(const spec::Network& n) {
  ObservedNetwork o{n.name};
  STACK_ASSIGN_OR_RETURN(auto stored, ipam.load(n.name));
  if (!stored) return o;
  o.recorded = true;
  STACK_ASSIGN_OR_RETURN(o.bridge, host.bridge_exists(stored->bridge));
  STACK_ASSIGN_OR_RETURN(net::FirewallRules rules, firewall_rules(n, *stored));
  STACK_ASSIGN_OR_RETURN(o.firewall, host.firewall_holds(rules));
  o.dns = host.dns_server_running(options.root, n.name);
  return o;
}

Result<net::FirewallRules> Engine::Impl::firewall_rules(const spec::Network& n, const net::IpamNetwork& stored) const {
  STACK_ASSIGN_OR_RETURN(bool masquerade, masquerade_of(n, options.ip_masquerade));
  net::FirewallRules rules{stored.bridge, stored.subnet, masquerade, n.internal};
  if (stored.v6) rules.subnet6 = stored.v6->subnet;
  return rules;
}

Result<void> Engine::Impl::apply_network_step(const spec::Stack& stack, const spec::Network& n,
                                              const NetworkStep& step, ProjectState& state) {
  std::string bridge = net::bridge_name(n.name);
  // A bridge is named after the network alone, and this root records its networks before making
  // their bridges: one that exists unrecorded was made by another state root on this host for a
  // network of the same name. Adopting it would take that root's containers off their network.
  STACK_ASSIGN_OR_RETURN(auto recorded, ipam.load(n.name));
  if (!recorded) {
    STACK_ASSIGN_OR_RETURN(bool foreign, host.bridge_exists(bridge));
    if (foreign) {
      return util::fail(Errc::conflict,
                        "network " + n.name + ": its bridge " + bridge + " exists but this state root (" +
                            options.root + ") did not make it: another root on this host runs a network of that "
                            "name (choose another project name with -p), or this root's records were removed "
                            "without `down` (then `ip link delete " + bridge + "`)");
    }
  }
  STACK_TRY(state.add_network(n.name));
  const net::SubnetRequest request = subnet_request(n);
  STACK_ASSIGN_OR_RETURN(unsigned mtu, mtu_of(n));
  STACK_ASSIGN_OR_RETURN(bool forwarding, dns_forward_of(n, options.dns_forward));
  STACK_ASSIGN_OR_RETURN(auto used, host.used_subnets(bridge));
  std::vector<util::Subnet6> used6;
  if (request.v6) {
    STACK_ASSIGN_OR_RETURN(used6, host.used_subnets6(bridge));
  }
  auto planned = ipam.ensure_network(n.name, request, used, used6);
  if (!planned) return std::move(planned).error().context("network " + n.name);
  // Always: a bridge that exists is not yet one that is up with its gateway address and MTU (a
  // CLI killed between making the link and addressing it, an MTU changed in the file), and the
  // idempotent ensure is the one call that both checks and mends that.
  net::NetworkSpec spec{n.name, bridge, planned->gateway_interface(), mtu, std::nullopt};
  if (planned->v6) spec.gateway6 = planned->v6->gateway_interface();
  auto made = host.ensure_bridge(spec);
  if (!made) return std::move(made).error().context("network " + n.name);
  const bool created = made->created;
  // After the bridge, so that a table never outlives its bridge (removal goes the other way).
  // Neither is waited for here: a container waits for them (await_network) before it starts.
  std::vector<std::shared_future<Result<void>>> tasks;
  if (step.apply_firewall) {
    STACK_ASSIGN_OR_RETURN(net::FirewallRules rules, firewall_rules(n, *planned));
    tasks.push_back(std::async(std::launch::async, [this, name = n.name, rules]() -> Result<void> {
      return host.ensure_firewall(rules).context("network " + name);
    }).share());
  }
  if (step.start_dns) {
    // The network's DNS server answers on its gateway and forwards the rest unless told not to.
    net::dns::DnsServerOptions dns_options{.root = options.root, .network = n.name, .listen = planned->gateway,
                                           .forward = forwarding, .upstreams = {}};
    if (forwarding) dns_options.upstreams = options.dns_upstreams;
    tasks.push_back(std::async(std::launch::async, [this, dns_options, name = n.name] {
      return host.ensure_dns_server(options.binary, dns_options).context("network " + name + ": DNS server");
    }).share());
  }
  if (!tasks.empty()) {
    std::lock_guard lock(network_tasks_mu);
    network_tasks[n.name] = std::move(tasks);
  }
  if (!step.reattach.empty()) STACK_TRY(reattach(stack, n, *planned, step.reattach));
  if (step.reason.empty() || step.reason == "new") report("Network", n.name, created ? "Created" : "Running");
  else report("Network", n.name, "Repaired (" + step.reason + ")");
  return util::ok();
}

Result<void> Engine::Impl::await_network(const std::string& network) {
  std::vector<std::shared_future<Result<void>>> tasks;
  {
    std::lock_guard lock(network_tasks_mu);
    auto it = network_tasks.find(network);
    if (it == network_tasks.end()) return util::ok();  // external, or made by an earlier command
    tasks = it->second;
  }
  Result<void> first = util::ok();
  for (auto& task : tasks) {
    const Result<void>& r = task.get();
    if (!r && first) first = r;
  }
  return first;
}

Result<void> Engine::Impl::await_networks() {
  std::vector<std::string> networks;
  {
    std::lock_guard lock(network_tasks_mu);
    for (const auto& [name, tasks] : network_tasks) networks.push_back(name);
  }
  Result<void> first = util::ok();
  for (const std::string& name : networks) {
    auto r = await_network(name);
    if (!r && first) first = std::move(r);
  }
  return first;
}

Result<void> Engine::Impl::remove_network(const std::string& name, ProjectState& state) {
  STACK_ASSIGN_OR_RETURN(auto stored, ipam.load(name));
  if (stored && !stored->allocations.empty()) {
    // Another project's container still uses it (the network is external there): keep it.
    report("Network", name, "In use", true, false);
    return util::ok();
  }
  STACK_TRY(host.stop_dns_server(options.root, name).context("network " + name + ": DNS server"));
  {
    // Under the records' lock: another project's refresh writes only files that exist.
    std::error_code ec;
    auto lock = util::FileLock::acquire_directory(util::StateRoot(options.root).dns_dir());
    fs::remove(net::dns::records_file(options.root, name), ec);
  }
  // Unrecorded, the bridge of that name was never this root's (see apply_network_step): another
  // root's network of the same name keeps it.
  const std::string bridge = net::bridge_name(name);
  bool removed = false;
  if (stored) {
    STACK_TRY(host.remove_firewall(bridge).context("network " + name));
    STACK_ASSIGN_OR_RETURN(removed, host.remove_bridge(bridge));
  }
  STACK_TRY(ipam.remove_network(name));
  STACK_TRY(state.remove_network(name));
  report("Network", name, removed ? "Removed" : "Gone");
  return util::ok();
}

std::string Engine::Impl::volume_dir(const std::string& volume) const {
  return util::StateRoot(options.root).volume_data(volume);
}

Result<void> Engine::Impl::ensure_volumes(const spec::Stack& stack, ProjectState& state) {
  for (const spec::Volume& v : stack.volumes) {
    if (v.driver != "local") {
      return Error(Errc::unsupported, "volume " + v.key + ": driver '" + v.driver + "' is not supported (local only)");
    }
    std::string dir = volume_dir(v.name);
    std::error_code ec;
    bool exists = fs::exists(dir, ec);
    if (v.external) {
      if (!exists) return Error(Errc::not_found, "volume " + v.name + " declared as external, but could not be found");
      continue;
    }
    if (exists) continue;
    STACK_TRY(state.add_volume(v.name));
    fs::create_directories(dir, ec);
    if (ec) return Error(Errc::io, "volume " + v.name + ": create '" + dir + "': " + ec.message());
    report("Volume", v.name, "Created");
  }
  return util::ok();
}

// A container of this root, of any project, that mounts the volume (volumes_from: container:NAME
// gives another project's containers a project's volumes): its name, or "".
Result<std::string> Engine::Impl::container_using_volume(const std::string& volume) {
  const std::string dir = volume_dir(volume);
  STACK_ASSIGN_OR_RETURN(auto ids, runtime.list());
  for (const std::string& id : ids) {
    auto config = runtime.config(id);
    if (!config) continue;  // being created or removed right now
    for (const runtime::MountConfig& m : config->container.mounts) {
      if (m.source == dir || m.source.starts_with(dir + "/")) return id;
    }
  }
  return std::string();
}

Result<void> Engine::Impl::remove_volume(const std::string& name, ProjectState& state) {
  // As docker keeps a volume in use: the project keeps it on record, and a later `down -v`, once
  // that container is gone, removes it.
  STACK_ASSIGN_OR_RETURN(std::string user, container_using_volume(name));
  if (!user.empty()) {
    report("Volume", name, "Kept: in use by container " + user);
    return util::ok();
  }
  std::error_code ec;
  fs::remove_all(util::StateRoot(options.root).volume(name), ec);
  if (ec) return Error(Errc::io, "volume " + name + ": " + ec.message());
  STACK_TRY(state.remove_volume(name));
  report("Volume", name, "Removed");
  return util::ok();
}

}  // namespace stack::scheduler
