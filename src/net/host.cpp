#include "net/host.hpp"

#include <fcntl.h>

#include <algorithm>
#include <map>

#include "net/detail.hpp"
#include "net/nl/address.hpp"
#include "net/nl/link.hpp"
#include "net/nl/inet6.hpp"
#include "net/nl/route.hpp"
#include "util/fd.hpp"

namespace stack::net {

using util::Errc;
using util::Result;

namespace {

constexpr const char* kIpForward = "/proc/sys/net/ipv4/ip_forward";
constexpr const char* kIp6Forward = "/proc/sys/net/ipv6/conf/all/forwarding";

Result<bool> read_switch(const char* path) {
  STACK_ASSIGN_OR_RETURN(std::string text, util::read_file(path));
  if (text.empty() || (text[0] != '0' && text[0] != '1'))
    return util::fail(Errc::parse, std::string("unexpected content in '") + path + "'");
  return text[0] == '1';
}

Result<bool> write_switch(const char* path, bool enabled) {
  STACK_ASSIGN_OR_RETURN(bool current, read_switch(path));
  if (current == enabled) return false;
  STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, util::UniqueFd::open(path, O_WRONLY));
  STACK_TRY(detail::with_context(util::write_all(fd.get(), enabled ? "1\n" : "0\n"),
                                 std::string("writing '") + path + "'"));
  return true;
}

Result<int> ifindex_to_ignore(std::string_view name) {
  if (name.empty()) return 0;
  STACK_ASSIGN_OR_RETURN(auto link, nl::find_link(name));
  return link ? link->index : 0;
}

}  // namespace

Result<std::vector<Subnet>> host_used_subnets(std::string_view ignore_link) {
  STACK_ASSIGN_OR_RETURN(int ignored, ifindex_to_ignore(ignore_link));
  STACK_ASSIGN_OR_RETURN(auto routes, nl::list_routes());
  STACK_ASSIGN_OR_RETURN(auto addresses, nl::list_addresses());
  std::vector<Subnet> used;
  for (const nl::RouteInfo& route : routes) {
    if (route.destination.prefix == 0) continue;
    if (ignored != 0 && route.ifindex == ignored) continue;
    used.push_back(route.destination);
  }
  for (const nl::AddressInfo& address : addresses) {
    if (ignored != 0 && address.ifindex == ignored) continue;
    used.push_back(address.address.subnet());
  }
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  return used;
}

Result<bool> ip_forward() { return read_switch(kIpForward); }
Result<bool> set_ip_forward(bool enabled) { return write_switch(kIpForward, enabled); }
Result<bool> ip6_forward() { return read_switch(kIp6Forward); }
Result<bool> set_ip6_forward(bool enabled) { return write_switch(kIp6Forward, enabled); }

Result<std::vector<Subnet6>> host_used_subnets6(std::string_view ignore_link) {
  STACK_ASSIGN_OR_RETURN(int ignored, ifindex_to_ignore(ignore_link));
  STACK_ASSIGN_OR_RETURN(auto routes, nl::list_routes6());
  const Subnet6 link_local = *Subnet6::parse("fe80::/10");
  std::vector<Subnet6> used;
  for (const nl::RouteInfo6& route : routes) {
    if (route.destination.prefix == 0 || link_local.contains(route.destination)) continue;
    if (ignored != 0 && route.ifindex == ignored) continue;
    used.push_back(route.destination);
  }
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  return used;
}

}  // namespace stack::net
