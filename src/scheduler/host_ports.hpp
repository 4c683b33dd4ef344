// Published ports as the shim binds them, and the early check that lets `up` fail before it
// changes anything. The kernel is the only authority on whether a port is free (another program,
// another stack, a TIME_WAIT socket with SO_REUSEADDR), so the check binds; the port is bound for
// good, once, by the container's shim (runtime/shim/port_proxy_child.hpp).
#pragma once

#include "net/proxy/forward.hpp"
#include "spec/model.hpp"
#include "util/result.hpp"

namespace stack::scheduler {

// The service's port as the shim's forward to target_ip; an empty host_ip is every address of both
// families, as in docker.
util::Result<net::proxy::Forward> published_forward(const spec::Port& port, util::Ipv4 target_ip);

// Whether a port of the forward's host range can be bound now;
// "port 127.0.0.1:8080/tcp is already in use" if not.
util::Result<void> check_port_free(const net::proxy::Forward& port);

}  // namespace stack::scheduler
