// The libnl foundation of stack::net::nl: one unique_ptr deleter per libnl type, a connected
// NETLINK_ROUTE socket, the translation of libnl error codes into util::Error, and conversions
// between libnl addresses and net::Ipv4.
//
// Every nl:: function opens its own socket. A netlink socket talks to the network namespace of the
// thread that created it, so a function that makes its socket on the calling thread is correct in
// whatever netns that thread is in (see netns.hpp); the cost is one socket() per call.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "net/ip.hpp"
#include "util/result.hpp"

struct nl_sock;
struct nl_cache;
struct nl_addr;
struct rtnl_link;
struct rtnl_addr;
struct rtnl_route;

namespace stack::net::nl {

struct SockDeleter {
  void operator()(nl_sock* sock) const;
};
struct CacheDeleter {
  void operator()(nl_cache* cache) const;
};
struct AddrDeleter {
  void operator()(nl_addr* addr) const;
};
struct LinkDeleter {
  void operator()(rtnl_link* link) const;
};
struct RtnlAddrDeleter {
  void operator()(rtnl_addr* addr) const;
};
struct RouteDeleter {
  void operator()(rtnl_route* route) const;
};

using SockPtr = std::unique_ptr<nl_sock, SockDeleter>;
using CachePtr = std::unique_ptr<nl_cache, CacheDeleter>;
using AddrPtr = std::unique_ptr<nl_addr, AddrDeleter>;
using LinkPtr = std::unique_ptr<rtnl_link, LinkDeleter>;
using RtnlAddrPtr = std::unique_ptr<rtnl_addr, RtnlAddrDeleter>;
using RoutePtr = std::unique_ptr<rtnl_route, RouteDeleter>;

// A NETLINK_ROUTE socket connected in the calling thread's network namespace.
util::Result<SockPtr> connect();

// "netlink: File exists" for a libnl error code (negative or positive). libnl folds the kernel's
// errno into its own codes; the common ones are mapped back so that messages read like ip(8)'s and
// Errc is already_exists / not_found where it should be.
util::Error error(int nl_error);

// The errno that a libnl error code stands for, or 0 when it has none.
int to_errno(int nl_error);

// libnl addresses from and to our values.
util::Result<AddrPtr> make_addr(Ipv4 address, int prefix = 32);
util::Result<AddrPtr> make_mac(std::string_view mac);
// The IPv4 address held by addr; an error if addr is not a 4-byte AF_INET address.
util::Result<Ipv4> to_ipv4(const nl_addr* addr);
// "aa:bb:cc:dd:ee:ff", or empty when addr is null.
std::string format_mac(const nl_addr* addr);

}  // namespace stack::net::nl
