// A container's place on its networks: the veth attachment that creation makes, and the repair of
// drift. A container keeps its network namespace for its whole life, so when its veth, or its
// network's bridge (whose ports the kernel frees), is deleted from outside, the veth is made again
// with the same name, address and MAC: the container gets its address and names back without a
// restart.
#include "net/naming.hpp"
#include "scheduler/container_spec.hpp"
#include "scheduler/engine_impl.hpp"

namespace stack::scheduler {

using util::Result;

net::Attachment attachment_for(const std::string& container, const spec::ServiceNetwork& sn,
                               const spec::Network& n, const net::IpamNetwork& stored, util::Ipv4 address,
                               int index) {
  net::Attachment a;
  a.bridge = stored.bridge;
  a.host_veth = net::host_veth_name(container, n.name);
  a.ifname = "eth" + std::to_string(index);
  a.mac = sn.mac_address ? *sn.mac_address : net::mac_for_address(address);
  a.address = {address, stored.subnet.prefix};
  a.gateway = stored.gateway;
  a.default_route = index == 0 && !n.internal;
  if (stored.v6) {
    // The v6 address is allocated with the v4 one, under the same key.
    if (auto it = stored.v6->allocations.find(container); it != stored.v6->allocations.end()) {
      a.address6 = net::Ipv6Interface{it->second, stored.v6->subnet.prefix};
      a.gateway6 = stored.v6->gateway;
    }
  }
  return a;
}

Result<std::vector<ObservedEndpoint>> Engine::Impl::observe_endpoints(const spec::Stack& stack,
                                                                      const std::vector<Found>& found) {
  std::vector<ObservedEndpoint> out;
  for (const Found& f : found) {
    const spec::Service* service = stack.find_service(f.observed.service);
    if (!f.observed.running || service == nullptr ||
        service->network_mode.kind != spec::NetworkMode::Kind::bridge) {
      continue;
    }
    for (const spec::ServiceNetwork& sn : service->networks) {
      const spec::Network* n = stack.find_network(sn.key);
      if (n == nullptr || n->external) continue;
      // Not on it yet by its labels: the plan recreates the container.
      if (!f.config.labels.count(kLabelNetworkPrefix + n->name)) continue;
      STACK_ASSIGN_OR_RETURN(auto stored, ipam.load(n->name));
      if (!stored) continue;
      STACK_ASSIGN_OR_RETURN(bool attached, host.is_attached(net::host_veth_name(f.observed.name, n->name), stored->bridge));
      out.push_back({f.observed.name, n->name, attached});
    }
  }
  return out;
}

Result<void> Engine::Impl::reattach(const spec::Stack& stack, const spec::Network& n, const net::IpamNetwork& stored,
                                    const std::vector<std::string>& containers) {
  for (const std::string& name : containers) {
    STACK_ASSIGN_OR_RETURN(runtime::shim::ShimConfig config, runtime.config(name));
    auto label = config.labels.find(kLabelNetworkPrefix + n.name);
    auto service_label = config.labels.find(kLabelService);
    const spec::Service* service = service_label == config.labels.end() ? nullptr : stack.find_service(service_label->second);
    if (label == config.labels.end() || service == nullptr) continue;
    // Its index among the service's networks: eth<index>, and the default route on the first.
    int index = 0;
    const spec::ServiceNetwork* on = nullptr;
    for (const spec::ServiceNetwork& sn : service->networks) {
      const spec::Network* sn_network = stack.find_network(sn.key);
      if (sn_network != nullptr && sn_network->name == n.name) {
        on = &sn;
        break;
      }
      ++index;
    }
    if (on == nullptr) continue;
    STACK_ASSIGN_OR_RETURN(util::Ipv4 address, util::Ipv4::parse(label->second));
    const std::string host_veth = net::host_veth_name(name, n.name);
    STACK_TRY(host.detach(host_veth).context("container " + name));
    auto again = host.attach(netns_path(name), attachment_for(name, *on, n, stored, address, index));
    if (!again) return std::move(again).error().context("container " + name + ": reattaching to " + n.name);
    report("Container", name, "Reattached to " + n.name);
  }
  return util::ok();
}

}  // namespace stack::scheduler
