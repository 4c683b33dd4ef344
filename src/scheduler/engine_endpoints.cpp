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
                               const spec::Network& n, const net::IpamNetwork& stored, net::Ipv4 address,
                               int index) {
  net::Attachment a;
  a.bridge = stored.bridge;
  a.host_veth = net::host_veth_name(container, n.name);
  a.ifname = "eth" + std::to_string(index);
  a.mac = sn.mac_address ? *sn.mac_address : net::mac_for_address(address);
  a.address = {address, stored.subnet.prefix};
  a.gateway = stored.gateway;
  a.default_route = index == 0 && !n.internal;
  return a;
}

Result<void> Engine::Impl::reattach_endpoints(const spec::Stack& stack, const std::vector<Found>& found) {
  for (const Found& f : found) {
    const spec::Service* service = stack.find_service(f.observed.service);
    if (!f.observed.running || service == nullptr ||
        service->network_mode.kind != spec::NetworkMode::Kind::bridge) {
      continue;
    }
    const std::string& name = f.observed.name;
    int index = 0;
    for (const spec::ServiceNetwork& sn : service->networks) {
      const int this_index = index++;
      const spec::Network* n = stack.find_network(sn.key);
      auto label = n == nullptr ? f.config.labels.end() : f.config.labels.find(kLabelNetworkPrefix + n->name);
      if (label == f.config.labels.end()) continue;  // not on it yet: the plan recreates the container
      STACK_ASSIGN_OR_RETURN(auto stored, ipam.load(n->name));
      if (!stored) continue;
      const std::string host_veth = net::host_veth_name(name, n->name);
      STACK_ASSIGN_OR_RETURN(bool attached, host.is_attached(host_veth, stored->bridge));
      if (attached) continue;
      STACK_ASSIGN_OR_RETURN(net::Ipv4 address, net::Ipv4::parse(label->second));
      STACK_TRY(host.detach(host_veth).context("container " + name));
      auto again = host.attach(netns_path(name), attachment_for(name, sn, *n, *stored, address, this_index));
      if (!again) return std::move(again).error().context("container " + name + ": reattaching to " + n->name);
      report("Container", name, "Reattached to " + n->name);
    }
  }
  return util::ok();
}

}  // namespace stack::scheduler
