#include "net/proxy/listeners.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace stack::net::proxy {
namespace {

constexpr int kListenBacklog = 512;

// A socket address for ip:port (ip canonical, "" = "::"); its length, 0 if ip does not parse.
socklen_t socket_address(const std::string& ip, std::uint16_t port, sockaddr_storage& out) {
  out = {};
  if (ip.find(':') == std::string::npos && !ip.empty()) {
    auto& sa = reinterpret_cast<sockaddr_in&>(out);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    return ::inet_pton(AF_INET, ip.c_str(), &sa.sin_addr) == 1 ? sizeof sa : 0;
  }
  auto& sa = reinterpret_cast<sockaddr_in6&>(out);
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(port);
  return ::inet_pton(AF_INET6, ip.empty() ? "::" : ip.c_str(), &sa.sin6_addr) == 1 ? sizeof sa : 0;
}

// Binds forward.host_port alone; describe names the whole request in errors.
util::Result<BoundPort> bind_one(const Forward& forward, const std::string& describe) {
  const int type = forward.protocol == Protocol::tcp ? SOCK_STREAM : SOCK_DGRAM;
  Forward actual = forward;
  sockaddr_storage sa{};
  socklen_t sa_len = socket_address(actual.host_ip, actual.host_port, sa);
  if (sa_len == 0) return util::fail(util::Errc::invalid_argument, "bind " + describe + ": not an IP address");
  util::UniqueFd fd(::socket(sa.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd && forward.host_ip.empty() && errno == EAFNOSUPPORT) {
    actual.host_ip = "0.0.0.0";  // no IPv6 in this kernel: every IPv4 address is all there is
    sa_len = socket_address(actual.host_ip, actual.host_port, sa);
    fd.reset(::socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  }
  if (!fd) return util::Error::from_errno("socket for " + describe);
  if (sa.ss_family == AF_INET6) {
    // Both families on one socket only when no address was given; "::" alone is IPv6's, as in docker.
    const int v6only = actual.host_ip.empty() ? 0 : 1;
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  }
  if (forward.protocol == Protocol::tcp) {
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  }
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sa_len) != 0) {
    return util::Error::from_errno("bind " + describe);
  }
  if (forward.protocol == Protocol::tcp && ::listen(fd.get(), kListenBacklog) != 0) {
    return util::Error::from_errno("listen " + describe);
  }
  socklen_t len = sizeof sa;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
    return util::Error::from_errno("getsockname " + describe);
  }
  actual.host_port = ntohs(sa.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(sa).sin6_port
                                                    : reinterpret_cast<sockaddr_in&>(sa).sin_port);
  actual.host_port_last = 0;
  return BoundPort{std::move(actual), std::move(fd), sa.ss_family};
}

// The first port of the forward's range that is free; the last failure when none is.
util::Result<BoundPort> bind_first_free(const Forward& forward) {
  const std::string describe = describe_listen(forward);
  const std::uint16_t last = std::max(forward.host_port, forward.host_port_last);
  for (std::uint32_t port = forward.host_port;; ++port) {
    Forward one = forward;
    one.host_port = static_cast<std::uint16_t>(port);
    auto bound = bind_one(one, describe);
    if (bound || port >= last || bound.error().sys_errno() != EADDRINUSE) return bound;
  }
}

}  // namespace

util::Result<std::vector<BoundPort>> bind_ports(const std::vector<Forward>& forwards) {
  std::vector<BoundPort> bound;
  for (const Forward& forward : forwards) {
    STACK_ASSIGN_OR_RETURN(BoundPort port, bind_first_free(forward));
    bound.push_back(std::move(port));
  }
  return bound;
}

}  // namespace stack::net::proxy
