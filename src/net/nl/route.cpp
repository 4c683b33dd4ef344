#include "net/nl/route.hpp"

#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include <cstdlib>

#include "net/nl/link.hpp"
#include "net/nl/socket.hpp"

namespace stack::net::nl {

using util::Errc;
using util::Result;

namespace {

// A next hop "via gateway [dev ifindex]"; the route takes ownership of it.
Result<rtnl_nexthop*> make_nexthop(Ipv4 gateway, int ifindex) {
  rtnl_nexthop* hop = rtnl_route_nh_alloc();
  if (hop == nullptr) return util::fail(Errc::io, "out of memory", ENOMEM);
  auto via = make_addr(gateway);
  if (!via) {
    rtnl_route_nh_free(hop);
    return std::move(via).error();
  }
  rtnl_route_nh_set_gateway(hop, via->get());  // takes its own reference
  if (ifindex > 0) rtnl_route_nh_set_ifindex(hop, ifindex);
  return hop;
}

Result<RoutePtr> build_default_route(Ipv4 gateway, int ifindex) {
  RoutePtr route(rtnl_route_alloc());
  if (!route) return util::fail(Errc::io, "out of memory", ENOMEM);
  rtnl_route_set_family(route.get(), AF_INET);
  rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
  rtnl_route_set_protocol(route.get(), RTPROT_STATIC);
  rtnl_route_set_scope(route.get(), RT_SCOPE_UNIVERSE);
  rtnl_route_set_type(route.get(), RTN_UNICAST);
  STACK_ASSIGN_OR_RETURN(AddrPtr any, make_addr(Ipv4{}, 0));
  if (const int err = rtnl_route_set_dst(route.get(), any.get()); err < 0) return error(err);
  STACK_ASSIGN_OR_RETURN(rtnl_nexthop * hop, make_nexthop(gateway, ifindex));
  rtnl_route_add_nexthop(route.get(), hop);
  return route;
}

RouteInfo describe(rtnl_route* route) {
  RouteInfo info;
  info.table = rtnl_route_get_table(route);
  nl_addr* dst = rtnl_route_get_dst(route);
  if (auto base = to_ipv4(dst))
    info.destination = Subnet::containing(*base, static_cast<int>(nl_addr_get_prefixlen(dst)));
  if (rtnl_route_get_nnexthops(route) > 0) {
    rtnl_nexthop* hop = rtnl_route_nexthop_n(route, 0);
    info.ifindex = rtnl_route_nh_get_ifindex(hop);
    if (auto via = to_ipv4(rtnl_route_nh_get_gateway(hop))) info.gateway = *via;
  }
  return info;
}

}  // namespace

Result<bool> add_default_route(Ipv4 gateway, const std::string& dev) {
  const std::string context = "adding default route via '" + gateway.str() + "'";
  int ifindex = 0;
  if (!dev.empty()) {
    STACK_ASSIGN_OR_RETURN(std::optional<LinkInfo> link, find_link(dev));
    if (!link) return util::fail(Errc::not_found, context + ": no such link '" + dev + "'");
    ifindex = link->index;
  }
  STACK_ASSIGN_OR_RETURN(RoutePtr route, build_default_route(gateway, ifindex).context(context));
  STACK_ASSIGN_OR_RETURN(SockPtr sock, connect());
  const int err = rtnl_route_add(sock.get(), route.get(), NLM_F_EXCL);
  if (err >= 0) return true;
  if (std::abs(err) == NLE_EXIST) return false;
  return error(err).context(context);
}

Result<std::vector<RouteInfo>> list_routes() {
  STACK_ASSIGN_OR_RETURN(SockPtr sock, connect());
  nl_cache* raw = nullptr;
  if (const int err = rtnl_route_alloc_cache(sock.get(), AF_INET, 0, &raw); err < 0)
    return error(err).context("listing routes");
  CachePtr cache(raw);
  std::vector<RouteInfo> routes;
  for (nl_object* obj = nl_cache_get_first(cache.get()); obj != nullptr;
       obj = nl_cache_get_next(obj)) {
    auto* route = reinterpret_cast<rtnl_route*>(obj);
    if (rtnl_route_get_family(route) != AF_INET) continue;
    if (rtnl_route_get_table(route) != RT_TABLE_MAIN) continue;
    routes.push_back(describe(route));
  }
  return routes;
}

}  // namespace stack::net::nl
