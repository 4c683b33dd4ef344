#include "net/nl/address.hpp"

#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include <cstdlib>
#include <map>

#include "net/detail.hpp"
#include "net/naming.hpp"
#include "net/nl/link.hpp"
#include "net/nl/socket.hpp"

namespace stack::net::nl {

using detail::in_quotes;
using util::Errc;
using util::Result;

namespace {

Result<int> ifindex_of(std::string_view name, const std::string& context) {
  STACK_ASSIGN_OR_RETURN(std::optional<LinkInfo> link, find_link(name));
  if (!link) return util::fail(Errc::not_found, context + ": no such link " + in_quotes(name));
  return link->index;
}

// An rtnl_addr for address on ifindex, with the broadcast address that `ip addr add ... brd +`
// would set (a /31 or /32 has none).
Result<RtnlAddrPtr> build(int ifindex, const Ipv4Interface& address) {
  RtnlAddrPtr addr(rtnl_addr_alloc());
  if (!addr) return util::fail(Errc::io, "out of memory", ENOMEM);
  rtnl_addr_set_ifindex(addr.get(), ifindex);
  rtnl_addr_set_family(addr.get(), AF_INET);
  STACK_ASSIGN_OR_RETURN(AddrPtr local, make_addr(address.address, address.prefix));
  if (const int err = rtnl_addr_set_local(addr.get(), local.get()); err < 0) return error(err);
  rtnl_addr_set_prefixlen(addr.get(), address.prefix);
  if (address.prefix < 31) {
    STACK_ASSIGN_OR_RETURN(AddrPtr broadcast, make_addr(address.subnet().broadcast()));
    if (const int err = rtnl_addr_set_broadcast(addr.get(), broadcast.get()); err < 0)
      return error(err);
  }
  return addr;
}

// ifindex -> name for every link, to label addresses without one query per address.
Result<std::map<int, std::string>> link_names() {
  STACK_ASSIGN_OR_RETURN(std::vector<LinkInfo> links, list_links());
  std::map<int, std::string> names;
  for (const LinkInfo& link : links) names[link.index] = link.name;
  return names;
}

}  // namespace

Result<bool> add_address(std::string_view name, const Ipv4Interface& address) {
  const std::string context =
      "adding address " + in_quotes(address.str()) + " to " + in_quotes(name);
  STACK_TRY(detail::with_context(check_ifname(name), context));
  STACK_ASSIGN_OR_RETURN(int ifindex, ifindex_of(name, context));
  STACK_ASSIGN_OR_RETURN(RtnlAddrPtr addr, build(ifindex, address).context(context));
  STACK_ASSIGN_OR_RETURN(SockPtr sock, connect());
  // NLM_F_EXCL turns "already there" into EEXIST instead of a silent replace: that is our "false".
  const int err = rtnl_addr_add(sock.get(), addr.get(), NLM_F_EXCL);
  if (err >= 0) return true;
  if (std::abs(err) == NLE_EXIST) return false;
  return error(err).context(context);
}

Result<bool> remove_address(std::string_view name, const Ipv4Interface& address) {
  const std::string context =
      "removing address " + in_quotes(address.str()) + " from " + in_quotes(name);
  STACK_TRY(detail::with_context(check_ifname(name), context));
  STACK_ASSIGN_OR_RETURN(int ifindex, ifindex_of(name, context));
  STACK_ASSIGN_OR_RETURN(RtnlAddrPtr addr, build(ifindex, address).context(context));
  STACK_ASSIGN_OR_RETURN(SockPtr sock, connect());
  const int err = rtnl_addr_delete(sock.get(), addr.get(), 0);
  if (err >= 0) return true;
  // The kernel answers EADDRNOTAVAIL for an address the link does not have.
  if (std::abs(err) == NLE_NOADDR || std::abs(err) == NLE_OBJ_NOTFOUND) return false;
  return error(err).context(context);
}

Result<std::vector<AddressInfo>> list_addresses(std::string_view name) {
  STACK_ASSIGN_OR_RETURN(auto names, link_names());
  STACK_ASSIGN_OR_RETURN(SockPtr sock, connect());
  nl_cache* raw = nullptr;
  if (const int err = rtnl_addr_alloc_cache(sock.get(), &raw); err < 0)
    return error(err).context("listing addresses");
  CachePtr cache(raw);
  std::vector<AddressInfo> out;
  for (nl_object* obj = nl_cache_get_first(cache.get()); obj != nullptr;
       obj = nl_cache_get_next(obj)) {
    auto* addr = reinterpret_cast<rtnl_addr*>(obj);
    if (rtnl_addr_get_family(addr) != AF_INET) continue;
    auto local = to_ipv4(rtnl_addr_get_local(addr));
    if (!local) continue;
    AddressInfo info{rtnl_addr_get_ifindex(addr),
                     {},
                     Ipv4Interface{*local, static_cast<int>(rtnl_addr_get_prefixlen(addr))}};
    if (auto it = names.find(info.ifindex); it != names.end()) info.ifname = it->second;
    if (name.empty() || info.ifname == name) out.push_back(std::move(info));
  }
  return out;
}

}  // namespace stack::net::nl
