#include "net/nl/inet6.hpp"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include <array>
#include <cstdlib>
#include <cstring>

#include "net/detail.hpp"
#include "net/nl/link.hpp"
#include "net/nl/socket.hpp"

namespace stack::net::nl {

using detail::in_quotes;
using util::Errc;
using util::Result;

namespace {

Result<AddrPtr> make_addr6(Ipv6 address, int prefix) {
  const auto bytes = address.bytes();
  AddrPtr addr(nl_addr_build(AF_INET6, bytes.data(), bytes.size()));
  if (!addr) return util::fail(Errc::io, "netlink: cannot allocate address", ENOMEM);
  nl_addr_set_prefixlen(addr.get(), prefix);
  return addr;
}

Result<int> ifindex6(std::string_view name, const std::string& context) {
  STACK_ASSIGN_OR_RETURN(std::optional<LinkInfo> link, find_link(name));
  if (!link) return util::fail(Errc::not_found, context + ": no such link " + in_quotes(name));
  return link->index;
}

}  // namespace

Result<bool> add_address6(std::string_view name, const Ipv6Interface& address) {
  const std::string context = "adding address " + in_quotes(address.str()) + " to " + in_quotes(name);
  STACK_ASSIGN_OR_RETURN(int ifindex, ifindex6(name, context));
  RtnlAddrPtr addr(rtnl_addr_alloc());
  if (!addr) return util::fail(Errc::io, "out of memory", ENOMEM);
  rtnl_addr_set_ifindex(addr.get(), ifindex);
  rtnl_addr_set_family(addr.get(), AF_INET6);
  STACK_ASSIGN_OR_RETURN(AddrPtr local, make_addr6(address.address, address.prefix));
  if (const int err = rtnl_addr_set_local(addr.get(), local.get()); err < 0) return error(err).context(context);
  rtnl_addr_set_prefixlen(addr.get(), address.prefix);
  rtnl_addr_set_flags(addr.get(), IFA_F_NODAD);
  STACK_ASSIGN_OR_RETURN(SockPtr sock, connect());
  const int err = rtnl_addr_add(sock.get(), addr.get(), NLM_F_EXCL);
  if (err >= 0) return true;
  if (std::abs(err) == NLE_EXIST) return false;
  return error(err).context(context);
}

Result<std::vector<Ipv6Interface>> list_addresses6(std::string_view name) {
  const std::string context = "listing IPv6 addresses of " + in_quotes(name);
  STACK_ASSIGN_OR_RETURN(int ifindex, ifindex6(name, context));
  STACK_ASSIGN_OR_RETURN(SockPtr sock, connect());
  nl_cache* raw = nullptr;
  if (const int err = rtnl_addr_alloc_cache(sock.get(), &raw); err < 0) return error(err).context(context);
  CachePtr cache(raw);
  std::vector<Ipv6Interface> out;
  for (nl_object* obj = nl_cache_get_first(cache.get()); obj != nullptr; obj = nl_cache_get_next(obj)) {
    auto* addr = reinterpret_cast<rtnl_addr*>(obj);
    if (rtnl_addr_get_family(addr) != AF_INET6 || rtnl_addr_get_ifindex(addr) != ifindex) continue;
    const nl_addr* local = rtnl_addr_get_local(addr);
    if (local == nullptr || nl_addr_get_len(local) != 16) continue;
    std::array<uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), nl_addr_get_binary_addr(local), bytes.size());
    out.push_back({Ipv6::from_bytes(bytes), static_cast<int>(rtnl_addr_get_prefixlen(addr))});
  }
  return out;
}

Result<std::vector<RouteInfo6>> list_routes6() {
  STACK_ASSIGN_OR_RETURN(SockPtr sock, connect());
  nl_cache* raw = nullptr;
  if (const int err = rtnl_route_alloc_cache(sock.get(), AF_INET6, 0, &raw); err < 0)
    return error(err).context("listing IPv6 routes");
  CachePtr cache(raw);
  std::vector<RouteInfo6> routes;
  for (nl_object* obj = nl_cache_get_first(cache.get()); obj != nullptr; obj = nl_cache_get_next(obj)) {
    auto* route = reinterpret_cast<rtnl_route*>(obj);
    if (rtnl_route_get_family(route) != AF_INET6 || rtnl_route_get_table(route) != RT_TABLE_MAIN) continue;
    const nl_addr* dst = rtnl_route_get_dst(route);
    if (dst == nullptr) continue;
    std::array<uint8_t, 16> bytes{};
    if (nl_addr_get_len(dst) == 16) std::memcpy(bytes.data(), nl_addr_get_binary_addr(dst), bytes.size());
    RouteInfo6 info{Subnet6::containing(Ipv6::from_bytes(bytes), static_cast<int>(nl_addr_get_prefixlen(dst))), 0};
    if (rtnl_route_get_nnexthops(route) > 0) info.ifindex = rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(route, 0));
    routes.push_back(info);
  }
  return routes;
}

Result<bool> add_default_route6(Ipv6 gateway, const std::string& dev) {
  const std::string context = "adding IPv6 default route via '" + gateway.str() + "'";
  STACK_ASSIGN_OR_RETURN(int ifindex, ifindex6(dev, context));
  RoutePtr route(rtnl_route_alloc());
  if (!route) return util::fail(Errc::io, "out of memory", ENOMEM);
  rtnl_route_set_family(route.get(), AF_INET6);
  rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
  rtnl_route_set_protocol(route.get(), RTPROT_STATIC);
  rtnl_route_set_scope(route.get(), RT_SCOPE_UNIVERSE);
  rtnl_route_set_type(route.get(), RTN_UNICAST);
  STACK_ASSIGN_OR_RETURN(AddrPtr any, make_addr6(Ipv6{}, 0));
  if (const int err = rtnl_route_set_dst(route.get(), any.get()); err < 0) return error(err).context(context);
  rtnl_nexthop* hop = rtnl_route_nh_alloc();
  if (hop == nullptr) return util::fail(Errc::io, "out of memory", ENOMEM);
  auto via = make_addr6(gateway, 128);
  if (!via) {
    rtnl_route_nh_free(hop);
    return std::move(via).error().context(context);
  }
  rtnl_route_nh_set_gateway(hop, via->get());
  rtnl_route_nh_set_ifindex(hop, ifindex);
  rtnl_route_add_nexthop(route.get(), hop);
  STACK_ASSIGN_OR_RETURN(SockPtr sock, connect());
  const int err = rtnl_route_add(sock.get(), route.get(), NLM_F_EXCL);
  if (err >= 0) return true;
  if (std::abs(err) == NLE_EXIST) return false;
  return error(err).context(context);
}

}  // namespace stack::net::nl
