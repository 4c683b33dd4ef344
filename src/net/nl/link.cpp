#include "net/nl/link.hpp"

#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>

#include <functional>

#include "net/detail.hpp"
#include "net/naming.hpp"
#include "net/nl/socket.hpp"

namespace stack::net::nl {

using detail::in_quotes;
using util::Errc;
using util::Result;

namespace {

bool is_absent(int nl_error) {
  const int err = std::abs(nl_error);
  return err == NLE_NODEV || err == NLE_OBJ_NOTFOUND;
}

// The kernel's view of link `name`, or a null pointer if there is none.
Result<LinkPtr> get_link(nl_sock* sock, std::string_view name) {
  const std::string copy(name);
  rtnl_link* raw = nullptr;
  const int err = rtnl_link_get_kernel(sock, 0, copy.c_str(), &raw);
  if (err < 0 && is_absent(err)) return LinkPtr();
  if (err < 0) return error(err).context("looking up link " + in_quotes(name));
  return LinkPtr(raw);
}

LinkInfo describe(rtnl_link* link) {
  LinkInfo info;
  info.name = rtnl_link_get_name(link) ? rtnl_link_get_name(link) : "";
  info.index = rtnl_link_get_ifindex(link);
  info.kind = rtnl_link_get_type(link) ? rtnl_link_get_type(link) : "";
  info.mtu = rtnl_link_get_mtu(link);
  info.mac = format_mac(rtnl_link_get_addr(link));
  info.up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
  info.master = rtnl_link_get_master(link);
  return info;
}

// Applies the attributes that fill() sets on a change object to the existing link `name`;
// context names the change ("renaming link 'stp0' to 'eth0'").
Result<void> change_link(std::string_view name, const std::string& context,
                         const std::function<Result<void>(rtnl_link*)>& fill) {
  STACK_ASSIGN_OR_RETURN(SockPtr sock, connect());
  STACK_ASSIGN_OR_RETURN(LinkPtr orig, get_link(sock.get(), name));
  if (!orig) return util::fail(Errc::not_found, context + ": no such link");
  LinkPtr change(rtnl_link_alloc());
  if (!change) return util::fail(Errc::io, context + ": out of memory", ENOMEM);
  STACK_TRY(detail::with_context(fill(change.get()), context));
  if (const int err = rtnl_link_change(sock.get(), orig.get(), change.get(), 0); err < 0)
    return error(err).context(context);
  return util::ok();
}

// After NLE_EXIST on create: is the existing link of the kind we wanted? Then it is "unchanged".
Result<bool> existing_is(nl_sock* sock, std::string_view name, std::string_view kind) {
  STACK_ASSIGN_OR_RETURN(LinkPtr link, get_link(sock, name));
  if (!link) return false;
  const char* type = rtnl_link_get_type(link.get());
  return type != nullptr && kind == type;
}

Result<bool> veth_pair_exists(nl_sock* sock, std::string_view name, std::string_view peer) {
  STACK_ASSIGN_OR_RETURN(LinkPtr link, get_link(sock, name));
  STACK_ASSIGN_OR_RETURN(LinkPtr peer_link, get_link(sock, peer));
  if (!link || !peer_link) return false;
  const char* type = rtnl_link_get_type(link.get());
  // IFLA_LINK of a veth end is its peer's ifindex (in the peer's netns).
  return type != nullptr && std::string_view(type) == "veth" &&
         rtnl_link_get_link(link.get()) == rtnl_link_get_ifindex(peer_link.get());
}

// One queue per end, what a veth ends up with anyway: without the attribute a veth gets a queue
// per CPU, and cutting that to one afterwards costs an RCU grace period under the rtnl lock.
void one_queue(rtnl_link* link) {
  rtnl_link_set_num_tx_queues(link, 1);
  rtnl_link_set_num_rx_queues(link, 1);
}

}  // namespace

Result<std::optional<LinkInfo>> find_link(std::string_view name) {
  STACK_TRY(check_ifname(name));
  STACK_ASSIGN_OR_RETURN(SockPtr sock, connect());
  STACK_ASSIGN_OR_RETURN(LinkPtr link, get_link(sock.get(), name));
  if (!link) return std::optional<LinkInfo>();
  return std::optional<LinkInfo>(describe(link.get()));
}

Result<std::vector<LinkInfo>> list_links() {
  STACK_ASSIGN_OR_RETURN(SockPtr sock, connect());
  nl_cache* raw = nullptr;
  if (const int err = rtnl_link_alloc_cache(sock.get(), AF_UNSPEC, &raw); err < 0)
    return error(err).context("listing links");
  CachePtr cache(raw);
  std::vector<LinkInfo> links;
  for (nl_object* obj = nl_cache_get_first(cache.get()); obj != nullptr;
       obj = nl_cache_get_next(obj))
    links.push_back(describe(reinterpret_cast<rtnl_link*>(obj)));
  return links;
}

Result<bool> create_bridge(std::string_view name, unsigned mtu) {
  const std::string copy(name);
  const std::string context = "creating bridge " + in_quotes(name);
  STACK_TRY(detail::with_context(check_ifname(name), context));
  STACK_ASSIGN_OR_RETURN(SockPtr sock, connect());
  LinkPtr link(rtnl_link_bridge_alloc());
  if (!link) return util::fail(Errc::io, context + ": out of memory", ENOMEM);
  rtnl_link_set_name(link.get(), copy.c_str());
  if (mtu != 0) rtnl_link_set_mtu(link.get(), mtu);
  const int err = rtnl_link_add(sock.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL);
  if (err >= 0) return true;
  if (std::abs(err) != NLE_EXIST) return error(err).context(context);
  STACK_ASSIGN_OR_RETURN(bool is_bridge, existing_is(sock.get(), name, "bridge"));
  if (!is_bridge)
    return util::fail(Errc::conflict, context + ": a link of another kind has that name");
  return false;
}

Result<bool> create_veth(std::string_view name, std::string_view peer, unsigned mtu) {
  const std::string copy(name), peer_copy(peer);
  const std::string context = "creating veth " + in_quotes(name);
  STACK_TRY(detail::with_context(check_ifname(name), context));
  STACK_TRY(detail::with_context(check_ifname(peer), context));
  STACK_ASSIGN_OR_RETURN(SockPtr sock, connect());
  LinkPtr link(rtnl_link_veth_alloc());
  if (!link) return util::fail(Errc::io, context + ": out of memory", ENOMEM);
  LinkPtr peer_link(rtnl_link_veth_get_peer(link.get()));  // a counted reference
  rtnl_link_set_name(link.get(), copy.c_str());
  rtnl_link_set_name(peer_link.get(), peer_copy.c_str());
  one_queue(link.get());
  one_queue(peer_link.get());
  if (mtu != 0) {
    rtnl_link_set_mtu(link.get(), mtu);
    rtnl_link_set_mtu(peer_link.get(), mtu);
  }
  const int err = rtnl_link_add(sock.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL);
  if (err >= 0) return true;
  if (std::abs(err) != NLE_EXIST) return error(err).context(context);
  STACK_ASSIGN_OR_RETURN(bool same_pair, veth_pair_exists(sock.get(), name, peer));
  if (!same_pair) return error(err).context(context);
  return false;
}

Result<void> create_veth_into_netns(const VethIntoNetns& v) {
  const std::string context = "creating veth " + in_quotes(v.host_name);
  STACK_TRY(detail::with_context(check_ifname(v.host_name), context));
  STACK_TRY(detail::with_context(check_ifname(v.peer_name), context));
  if (v.peer_netns_fd < 0 || v.bridge_index <= 0)
    return util::fail(Errc::invalid_argument, context + ": needs a bridge and a netns descriptor");
  STACK_ASSIGN_OR_RETURN(SockPtr sock, connect());
  LinkPtr link(rtnl_link_veth_alloc());
  if (!link) return util::fail(Errc::io, context + ": out of memory", ENOMEM);
  LinkPtr peer(rtnl_link_veth_get_peer(link.get()));  // a counted reference
  rtnl_link_set_name(link.get(), v.host_name.c_str());
  rtnl_link_set_master(link.get(), v.bridge_index);
  rtnl_link_set_flags(link.get(), IFF_UP);
  one_queue(link.get());
  rtnl_link_set_name(peer.get(), v.peer_name.c_str());
  rtnl_link_set_ns_fd(peer.get(), v.peer_netns_fd);
  one_queue(peer.get());
  if (v.peer_mac) {
    STACK_ASSIGN_OR_RETURN(AddrPtr addr, make_mac(*v.peer_mac).context(context));
    rtnl_link_set_addr(peer.get(), addr.get());  // takes its own reference
  }
  if (v.mtu != 0) {
    rtnl_link_set_mtu(link.get(), v.mtu);
    rtnl_link_set_mtu(peer.get(), v.mtu);
  }
  const int err = rtnl_link_add(sock.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL);
  if (err >= 0) return util::ok();
  if (std::abs(err) == NLE_EXIST) {
    // A socket of its own: libnl may still hold the failed request's reply on this one.
    STACK_ASSIGN_OR_RETURN(auto existing, find_link(v.host_name));
    if (existing) return util::fail(Errc::already_exists, context + ": the host end exists already");
    return util::fail(Errc::conflict, context + ": link " + in_quotes(v.peer_name) +
                                          " exists in the target netns (" + error(err).message() + ")");
  }
  return error(err).context(context);
}

Result<bool> remove_link(std::string_view name) {
  const std::string context = "removing link " + in_quotes(name);
  STACK_TRY(detail::with_context(check_ifname(name), context));
  STACK_ASSIGN_OR_RETURN(SockPtr sock, connect());
  LinkPtr link(rtnl_link_alloc());
  if (!link) return util::fail(Errc::io, context + ": out of memory", ENOMEM);
  const std::string copy(name);
  rtnl_link_set_name(link.get(), copy.c_str());
  // Deleting by name in one request avoids a lookup that could race with another remover.
  const int err = rtnl_link_delete(sock.get(), link.get());
  if (err >= 0) return true;
  if (is_absent(err)) return false;
  return error(err).context(context);
}

Result<void> set_up(std::string_view name) {
  return change_link(name, "bringing up link " + in_quotes(name), [](rtnl_link* change) {
    rtnl_link_set_flags(change, IFF_UP);
    return util::ok();
  });
}

Result<void> set_master(std::string_view name, std::string_view master) {
  STACK_ASSIGN_OR_RETURN(std::optional<LinkInfo> bridge, find_link(master));
  if (!bridge)
    return util::fail(Errc::not_found, "adding link " + in_quotes(name) + " to bridge " +
                                           in_quotes(master) + ": no such bridge");
  return change_link(name, "adding link " + in_quotes(name) + " to bridge " + in_quotes(master),
                     [&](rtnl_link* change) {
                       rtnl_link_set_master(change, bridge->index);
                       return util::ok();
                     });
}

Result<void> set_mtu(std::string_view name, unsigned mtu) {
  return change_link(name, "setting mtu of link " + in_quotes(name) + " to " + std::to_string(mtu),
                     [mtu](rtnl_link* change) {
                       rtnl_link_set_mtu(change, mtu);
                       return util::ok();
                     });
}

Result<void> set_mac(std::string_view name, std::string_view mac) {
  return change_link(name, "setting mac of link " + in_quotes(name) + " to " + in_quotes(mac),
                     [mac](rtnl_link* change) -> Result<void> {
                       STACK_ASSIGN_OR_RETURN(AddrPtr addr, make_mac(mac));
                       rtnl_link_set_addr(change, addr.get());  // takes its own reference
                       return util::ok();
                     });
}

Result<void> loopback_up() { return set_up("lo"); }

}  // namespace stack::net::nl
