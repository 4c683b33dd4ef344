#include "net/proxy/listeners.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace stack::net::proxy {
namespace {

constexpr int kListenBacklog = 512;

// Binds forward.host_port alone; describe names the whole request in errors.
util::Result<BoundPort> bind_one(const Forward& forward, const std::string& describe) {
  const int type = forward.protocol == Protocol::tcp ? SOCK_STREAM : SOCK_DGRAM;
  util::UniqueFd fd(::socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return util::Error::from_errno("socket for " + describe);
  if (forward.protocol == Protocol::tcp) {
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  }
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(forward.host_port);
  sa.sin_addr.s_addr = htonl(forward.host_ip.value);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
    return util::Error::from_errno("bind " + describe);
  }
  if (forward.protocol == Protocol::tcp && ::listen(fd.get(), kListenBacklog) != 0) {
    return util::Error::from_errno("listen " + describe);
  }
  socklen_t len = sizeof sa;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
    return util::Error::from_errno("getsockname " + describe);
  }
  BoundPort bound{forward, std::move(fd)};
  bound.forward.host_port = ntohs(sa.sin_port);
  bound.forward.host_port_last = 0;
  return bound;
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
