// The container's published ports, served by a child of the shim. The shim binds every port once,
// itself, before the container's first start (so that a port in use fails the create with one line,
// through the same state.json error as any setup step) and holds the sockets for its life; each
// serving child gets duplicates, so a child that died is replaced without binding again and no
// other process can take a port in between. The child serves them with net::proxy::PortProxy; the
// shim is single-threaded, so the child may allocate freely. It dies with the shim
// (PR_SET_PDEATHSIG) and is killed and reaped when the shim finishes.
#pragma once

#include <vector>

#include "net/proxy/listeners.hpp"
#include "util/child_process.hpp"

namespace stack::runtime::shim {

// Forks the child serving duplicates of ports; an invalid ChildProcess when there are none.
util::Result<util::ChildProcess> start_port_proxy(const std::vector<net::proxy::BoundPort>& ports);

}  // namespace stack::runtime::shim
