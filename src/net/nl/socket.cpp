#include "net/nl/socket.hpp"

#include <arpa/inet.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

#include <cstdlib>
#include <cstring>

namespace stack::net::nl {

using util::Errc;
using util::Result;

void SockDeleter::operator()(nl_sock* sock) const { nl_socket_free(sock); }
void CacheDeleter::operator()(nl_cache* cache) const { nl_cache_free(cache); }
void AddrDeleter::operator()(nl_addr* addr) const { nl_addr_put(addr); }
// rtnl_link_put also releases a veth's peer (libnl's veth_free), so veth links need no special
// deleter.
void LinkDeleter::operator()(rtnl_link* link) const { rtnl_link_put(link); }
void RtnlAddrDeleter::operator()(rtnl_addr* addr) const { rtnl_addr_put(addr); }
void RouteDeleter::operator()(rtnl_route* route) const { rtnl_route_put(route); }

Result<SockPtr> connect() {
  SockPtr sock(nl_socket_alloc());
  if (!sock) return util::fail(Errc::io, "netlink: cannot allocate socket", ENOMEM);
  if (const int err = nl_connect(sock.get(), NETLINK_ROUTE); err < 0)
    return error(err).context("connecting to rtnetlink");
  return sock;
}

int to_errno(int nl_error) {
  switch (std::abs(nl_error)) {
    case NLE_INTR:
      return EINTR;
    case NLE_BAD_SOCK:
      return EBADF;
    case NLE_AGAIN:
      return EAGAIN;
    case NLE_NOMEM:
      return ENOMEM;
    case NLE_EXIST:
      return EEXIST;
    case NLE_INVAL:
      return EINVAL;
    case NLE_RANGE:
      return ERANGE;
    case NLE_MSGSIZE:
      return EMSGSIZE;
    case NLE_OPNOTSUPP:
      return EOPNOTSUPP;
    case NLE_AF_NOSUPPORT:
      return EAFNOSUPPORT;
    case NLE_OBJ_NOTFOUND:
      return ENOENT;
    case NLE_NOADDR:
      return EADDRNOTAVAIL;
    case NLE_BUSY:
      return EBUSY;
    case NLE_NOACCESS:
      return EACCES;
    case NLE_PERM:
      return EPERM;
    case NLE_NODEV:
      return ENODEV;
    default:
      return 0;
  }
}

util::Error error(int nl_error) {
  const int err = to_errno(nl_error);
  if (err == 0) return util::Error(Errc::io, std::string("netlink: ") + nl_geterror(nl_error));
  util::Error out = util::Error::from_errno("netlink", err);
  // ENODEV is how rtnetlink says "no such link"; callers test Errc, not errno.
  if (err == ENODEV) return util::Error(Errc::not_found, out.message(), err);
  return out;
}

Result<AddrPtr> make_addr(Ipv4 address, int prefix) {
  const uint32_t raw = htonl(address.value);
  AddrPtr addr(nl_addr_build(AF_INET, &raw, sizeof raw));
  if (!addr) return util::fail(Errc::io, "netlink: cannot allocate address", ENOMEM);
  nl_addr_set_prefixlen(addr.get(), prefix);
  return addr;
}

Result<AddrPtr> make_mac(std::string_view mac) {
  const std::string text(mac);
  nl_addr* raw = nullptr;
  if (const int err = nl_addr_parse(text.c_str(), AF_LLC, &raw); err < 0)
    return error(err).context("invalid MAC address '" + text + "'");
  AddrPtr addr(raw);
  if (nl_addr_get_family(addr.get()) != AF_LLC || nl_addr_get_len(addr.get()) != 6)
    return util::fail(Errc::invalid_argument, "invalid MAC address '" + text + "'");
  return addr;
}

Result<Ipv4> to_ipv4(const nl_addr* addr) {
  if (addr == nullptr || nl_addr_get_family(addr) != AF_INET || nl_addr_get_len(addr) != 4)
    return util::fail(Errc::invalid_argument, "not an IPv4 address");
  uint32_t raw = 0;
  std::memcpy(&raw, nl_addr_get_binary_addr(addr), sizeof raw);
  return Ipv4{ntohl(raw)};
}

std::string format_mac(const nl_addr* addr) {
  if (addr == nullptr) return {};
  char text[64];
  nl_addr2str(addr, text, sizeof text);
  return text;
}

}  // namespace stack::net::nl
