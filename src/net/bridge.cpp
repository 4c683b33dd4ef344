// Bridges: the host side of a stack network.
#include <algorithm>

#include "net/detail.hpp"
#include "net/naming.hpp"
#include "net/netlink_network.hpp"
#include "net/netns.hpp"
#include "net/nl/address.hpp"
#include "net/nl/inet6.hpp"
#include "net/nl/link.hpp"

namespace stack::net {

using detail::in_quotes;
using util::Errc;
using util::Result;

namespace {

Result<void> check_spec(const NetworkSpec& spec) {
  if (!is_bridge_name(spec.bridge))
    return util::fail(Errc::invalid_argument, "bridge name " + in_quotes(spec.bridge) +
                                                  " is not one stack makes (stk-<hash8>)");
  if (spec.gateway.prefix <= 0 || spec.gateway.prefix > 30)
    return util::fail(Errc::invalid_argument,
                      "gateway " + in_quotes(spec.gateway.str()) + " needs a prefix of /1 to /30");
  if (spec.gateway6 && (spec.gateway6->prefix <= 0 || spec.gateway6->prefix > 126))
    return util::fail(Errc::invalid_argument,
                      "gateway " + in_quotes(spec.gateway6->str()) + " needs a prefix of /1 to /126");
  return util::ok();
}

// Once a bridge has a MAC set explicitly the kernel stops replacing it with the lowest port MAC,
// so the gateway's MAC does not change as containers come and go and stale ARP entries are avoided.
Result<void> settle_mac(const NetworkSpec& spec, const nl::LinkInfo& link) {
  const std::string mac = mac_for_address(spec.gateway.address);
  if (link.mac == mac) return util::ok();
  return nl::set_mac(spec.bridge, mac);
}

Result<nl::LinkInfo> read_bridge(const std::string& name) {
  STACK_ASSIGN_OR_RETURN(std::optional<nl::LinkInfo> link, nl::find_link(name));
  if (!link) return util::fail(Errc::not_found, "bridge " + in_quotes(name) + " vanished");
  return std::move(*link);
}

Result<BridgeInfo> converge_bridge(const NetworkSpec& spec, bool created) {
  STACK_ASSIGN_OR_RETURN(nl::LinkInfo link, read_bridge(spec.bridge));
  if (spec.mtu != 0 && link.mtu != spec.mtu) STACK_TRY(nl::set_mtu(spec.bridge, spec.mtu));
  STACK_TRY(settle_mac(spec, link));
  STACK_ASSIGN_OR_RETURN(bool added, nl::add_address(spec.bridge, spec.gateway));
  (void)added;  // already there on a later reconcile pass
  if (spec.gateway6) STACK_TRY(nl::add_address6(spec.bridge, *spec.gateway6));
  if (!link.up) STACK_TRY(nl::set_up(spec.bridge));
  STACK_ASSIGN_OR_RETURN(link, read_bridge(spec.bridge));
  return BridgeInfo{link.name, link.index, link.mtu, link.mac, created};
}

}  // namespace

Result<BridgeInfo> NetlinkNetwork::ensure_bridge(const NetworkSpec& spec) {
  const std::string context =
      "network " + in_quotes(spec.name) + ": bridge " + in_quotes(spec.bridge);
  STACK_TRY(detail::with_context(check_spec(spec), context));
  STACK_ASSIGN_OR_RETURN(bool created, nl::create_bridge(spec.bridge, spec.mtu).context(context));
  auto info = converge_bridge(spec, created);
  // A bridge made by this call and left half-configured would look finished to the next pass.
  if (!info && created) (void)nl::remove_link(spec.bridge);
  return std::move(info).context(context);
}

Result<bool> NetlinkNetwork::remove_bridge(const std::string& name) {
  const std::string context = "removing bridge " + in_quotes(name);
  if (!is_bridge_name(name))
    return util::fail(Errc::invalid_argument, context + ": not a name stack makes");
  STACK_ASSIGN_OR_RETURN(std::optional<nl::LinkInfo> link, nl::find_link(name));
  if (!link) return false;
  if (link->kind != "bridge")
    return util::fail(Errc::conflict, context + ": it is a '" + link->kind + "', not a bridge");
  return nl::remove_link(name);
}

Result<void> Network::attach_pid(pid_t pid, const Attachment& attachment) {
  STACK_ASSIGN_OR_RETURN(Netns netns, Netns::of_pid(pid));
  return attach(netns.fd(), attachment);
}

std::unique_ptr<Network> make_netlink_network() { return std::make_unique<NetlinkNetwork>(); }

Result<std::vector<nl::LinkInfo>> list_owned_links() {
  STACK_ASSIGN_OR_RETURN(std::vector<nl::LinkInfo> links, nl::list_links());
  std::erase_if(links, [](const nl::LinkInfo& link) {
    return !is_bridge_name(link.name) && !is_host_veth_name(link.name) &&
           !is_peer_veth_name(link.name);
  });
  return links;
}

}  // namespace stack::net
