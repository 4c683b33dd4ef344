// veth attachments: a container's link to a bridge. The host end ("stv...") stays on the host as a
// bridge port; the other end is created on the host as "stp...", moved into the container's
// netns and renamed there to its final name (e.g. eth0), which may exist many times on the host.
#include "net/detail.hpp"
#include "net/naming.hpp"
#include "net/netlink_network.hpp"
#include "net/netns.hpp"
#include "net/nl/address.hpp"
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
  return util::ok();
}

// The host half: the pair exists, the host end is a port of the bridge and up.
Result<void> plug_host_end(const Attachment& a, const std::string& peer) {
  STACK_ASSIGN_OR_RETURN(bool created, nl::create_veth(a.host_veth, peer, a.mtu));
  if (!created)  // cannot happen after the debris sweep in attach(), unless someone races us
    return util::fail(Errc::conflict,
                      "veth pair " + in_quotes(a.host_veth) + " appeared meanwhile");
  STACK_TRY(nl::set_master(a.host_veth, a.bridge));
  return nl::set_up(a.host_veth);
}

// The container half, run on a thread inside the container's netns.
Result<void> configure_container_end(const Attachment& a, const std::string& peer) {
  // Rename first, while the link is down: the kernel refuses to rename a running interface.
  STACK_TRY(nl::rename_link(peer, a.ifname));
  if (a.mac) STACK_TRY(nl::set_mac(a.ifname, *a.mac));
  STACK_ASSIGN_OR_RETURN(bool added, nl::add_address(a.ifname, a.address));
  (void)added;  // a fresh link has no address: always true
  STACK_TRY(nl::set_up(a.ifname));
  STACK_TRY(nl::loopback_up());
  if (a.default_route) {
    STACK_ASSIGN_OR_RETURN(bool routed, nl::add_default_route(a.gateway, a.ifname));
    if (!routed) return util::fail(Errc::conflict, "the container already has a default route");
  }
  return util::ok();
}

Result<void> attach_steps(int netns_fd, const Attachment& a, const std::string& peer) {
  STACK_TRY(plug_host_end(a, peer));
  STACK_TRY(nl::move_to_netns(peer, netns_fd));
  return in_netns(netns_fd, [&] { return configure_container_end(a, peer); })
      .context("inside the container's netns");
}

}  // namespace

Result<void> NetlinkNetwork::attach(int netns_fd, const Attachment& attachment) {
  const std::string context = "attaching veth " + in_quotes(attachment.host_veth) + " to bridge " +
                              in_quotes(attachment.bridge);
  STACK_TRY(detail::with_context(check_attachment(attachment), context));
  const std::string peer = peer_of_host_veth(attachment.host_veth);
  // A peer still on the host is debris of an attach that died before moving it: its pair never
  // reached a container, so removing it (and with it the host end) is safe.
  STACK_TRY(detail::with_context(nl::remove_link(peer), context));
  STACK_ASSIGN_OR_RETURN(auto existing, nl::find_link(attachment.host_veth).context(context));
  if (existing) return util::fail(Errc::already_exists, context + ": the host end exists already");
  auto attached = attach_steps(netns_fd, attachment, peer);
  // Deleting the host end deletes the peer too, wherever it is by now.
  if (!attached) (void)nl::remove_link(attachment.host_veth);
  return std::move(attached).context(context);
}

Result<bool> NetlinkNetwork::detach(const std::string& host_veth) {
  if (!is_host_veth_name(host_veth))
    return util::fail(Errc::invalid_argument,
                      "detaching " + in_quotes(host_veth) + ": not a veth name stack makes");
  return nl::remove_link(host_veth).context("detaching veth " + in_quotes(host_veth));
}

}  // namespace stack::net
