#include "net/host.hpp"

#include <fcntl.h>

#include <algorithm>
#include <map>

#include "net/detail.hpp"
#include "net/nl/address.hpp"
#include "net/nl/link.hpp"
#include "net/nl/route.hpp"
#include "util/fd.hpp"

namespace stack::net {

using util::Errc;
using util::Result;

namespace {

constexpr const char* kIpForward = "/proc/sys/net/ipv4/ip_forward";

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

Result<bool> ip_forward() {
  STACK_ASSIGN_OR_RETURN(std::string text, util::read_file(kIpForward));
  if (text.empty() || (text[0] != '0' && text[0] != '1'))
    return util::fail(Errc::parse, std::string("unexpected content in '") + kIpForward + "'");
  return text[0] == '1';
}

Result<bool> set_ip_forward(bool enabled) {
  STACK_ASSIGN_OR_RETURN(bool current, ip_forward());
  if (current == enabled) return false;
  STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, util::UniqueFd::open(kIpForward, O_WRONLY));
  STACK_TRY(detail::with_context(util::write_all(fd.get(), enabled ? "1\n" : "0\n"),
                                 std::string("writing '") + kIpForward + "'"));
  return true;
}

}  // namespace stack::net
