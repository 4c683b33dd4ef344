// The container's published ports, served by a child of the shim. The shim binds every port
// itself (so that a port in use fails the container's create with one line, through the same
// state.json error as any setup step), then forks a child that serves the bound sockets with
// net::proxy::PortProxy. The shim is single-threaded, so the child may allocate freely. The child
// dies with the shim (PR_SET_PDEATHSIG) and is killed and reaped when the shim finishes.
#pragma once

#include <vector>

#include "net/proxy/forward.hpp"
#include "runtime/shim/shim_config.hpp"
#include "util/child_process.hpp"

namespace stack::runtime::shim {

// The runtime's PortForward as the proxy's Forward; an empty host_ip means 0.0.0.0.
util::Result<net::proxy::Forward> to_proxy_forward(const PortForward& port);

// Binds all ports and forks the serving child; an invalid ChildProcess when there are none.
util::Result<util::ChildProcess> start_port_proxy(const std::vector<PortForward>& ports);

}  // namespace stack::runtime::shim
