// veth attachments: a container's link to a bridge. The host end ("stv...") stays on the host as a
// bridge port; the other end is created directly inside the container's netns under its final
// name (e.g. eth0, which may exist many times on the host), in the same request.
#include "net/detail.hpp"
#include "net/naming.hpp"
#include "net/netlink_network.hpp"
#include "net/netns.hpp"
#include "net/nl/address.hpp"
#include "net/nl/inet6.hpp"
#include "net/nl/link.hpp"
#include "net/nl/route.hpp"

namespace stack::net {

using detail::in_quotes;
using util::Errc;
using util::Result;

namespace {

Result<void> check_attachment(const Attachment& a) {
  if (!is_host_veth_name(a.host_veth))
    return util::fail(Errc::invalid_argument, "host veth name " + in_quotes(a.host_veth) +
                                                  " is not one stack makes (stv<hash10>)");
  if (!is_bridge_name(a.bridge))
    return util::fail(Errc::invalid_argument, "bridge name " + in_quotes(a.bridge) +
                                                  " is not one stack makes (stk-<hash8>)");
  STACK_TRY(check_ifname(a.ifname));
  if (a.address.prefix <= 0 || a.address.prefix > 30)
    return util::fail(Errc::invalid_argument,
                      "address " + in_quotes(a.address.str()) + " needs a prefix of /1 to /30");
  if (a.default_route && !a.address.subnet().contains(a.gateway))
    return util::fail(Errc::invalid_argument, "gateway " + in_quotes(a.gateway.str()) +
                                                  " is not in " +
                                                  in_quotes(a.address.subnet().str()));
  if (a.address6 && (a.address6->prefix <= 0 || a.address6->prefix > 126))
    return util::fail(Errc::invalid_argument, "address " + in_quotes(a.address6->str()) + " needs a prefix of /1 to /126");
  if (a.address6 && a.default_route && (!a.gateway6 || !a.address6->subnet().contains(*a.gateway6)))
    return util::fail(Errc::invalid_argument, "address " + in_quotes(a.address6->str()) + " has no IPv6 gateway in its subnet");
  return util::ok();
}

// The container half, run on a thread inside the container's netns, where the link is made.
Result<void> configure_container_end(const Attachment& a) {
  STACK_TRY(nl::set_up(a.ifname));
  STACK_ASSIGN_OR_RETURN(bool added, nl::add_address(a.ifname, a.address));
  (void)added;  // a fresh link has no address: always true
  STACK_TRY(nl::loopback_up());
  if (a.default_route) {
    STACK_ASSIGN_OR_RETURN(bool routed, nl::add_default_route(a.gateway, a.ifname));
    if (!routed) return util::fail(Errc::conflict, "the container already has a default route");
  }
  if (a.address6) {
    // A new netns has IPv6 on (its defaults are the kernel's, not the host's sysctls); nodad makes
    // the address usable at once.
    STACK_TRY(nl::add_address6(a.ifname, *a.address6));
    if (a.default_route) {
      STACK_ASSIGN_OR_RETURN(bool routed6, nl::add_default_route6(*a.gateway6, a.ifname));
      if (!routed6) return util::fail(Errc::conflict, "the container already has an IPv6 default route");
    }
  }
  return util::ok();
}

}  // namespace

Result<void> NetlinkNetwork::attach(int netns_fd, const Attachment& attachment) {
  const std::string context = "attaching veth " + in_quotes(attachment.host_veth) + " to bridge " +
                              in_quotes(attachment.bridge);
  STACK_TRY(detail::with_context(check_attachment(attachment), context));
  STACK_ASSIGN_OR_RETURN(auto bridge, nl::find_link(attachment.bridge).context(context));
  if (!bridge) return util::fail(Errc::not_found, context + ": no such bridge");
  nl::VethIntoNetns veth{.host_name = attachment.host_veth,
                         .bridge_index = bridge->index,
                         .peer_name = attachment.ifname,
                         .peer_netns_fd = netns_fd,
                         .peer_mac = attachment.mac,
                         .mtu = attachment.mtu};
  STACK_TRY(nl::create_veth_into_netns(veth).context(context));
  auto configured = in_netns(netns_fd, [&] { return configure_container_end(attachment); })
                        .context("inside the container's netns");
  // Deleting the host end deletes the peer too, wherever it is.
  if (!configured) (void)nl::remove_link(attachment.host_veth);
  return std::move(configured).context(context);
}

Result<bool> NetlinkNetwork::detach(const std::string& host_veth) {
  if (!is_host_veth_name(host_veth))
    return util::fail(Errc::invalid_argument,
                      "detaching " + in_quotes(host_veth) + ": not a veth name stack makes");
  return nl::remove_link(host_veth).context("detaching veth " + in_quotes(host_veth));
}

Result<bool> NetlinkNetwork::is_attached(const std::string& host_veth, const std::string& bridge) {
  STACK_ASSIGN_OR_RETURN(auto veth, nl::find_link(host_veth));
  if (!veth || veth->master == 0) return false;
  STACK_ASSIGN_OR_RETURN(auto port_of, nl::find_link(bridge));
  return port_of && port_of->index == veth->master;
}

}  // namespace stack::net
