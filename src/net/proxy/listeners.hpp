// Binding the host side of published ports with plain sockets, before any event loop exists: a
// caller (the shim) binds in its own process, so that a port already in use is its error, then hands
// the bound sockets to a PortProxy, possibly in a forked child.
#pragma once

#include <vector>

#include "net/proxy/forward.hpp"
#include "util/fd.hpp"

namespace stack::net::proxy {

struct BoundPort {
  Forward forward;  // host_port is the bound port (the kernel's or the range's choice), no range
  util::UniqueFd fd;  // TCP: listening; UDP: bound. Non-blocking, close-on-exec
  int family = 0;     // AF_INET or AF_INET6, the socket's
};

// Binds every forward, all or nothing; a forward with a host range takes its first free port. A
// forward without a host address gets one dual-stack socket on [::] (IPv4 clients arrive as
// ::ffff:a.b.c.d), or, where the kernel has no IPv6, one on 0.0.0.0, which its bound forward then
// names.
// TCP listeners get SO_REUSEADDR (a restarted proxy may bind while old connections sit in
// TIME_WAIT). The first failure is one line: "bind 127.0.0.1:8080/tcp: Address already in use".
util::Result<std::vector<BoundPort>> bind_ports(const std::vector<Forward>& forwards);

}  // namespace stack::net::proxy
