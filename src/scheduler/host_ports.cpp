#include "scheduler/host_ports.hpp"

#include <cerrno>

#include "net/proxy/listeners.hpp"

namespace stack::scheduler {

using util::Errc;
using util::Error;
using util::Result;

Result<net::proxy::Forward> published_forward(const spec::Port& port, util::Ipv4 target_ip) {
  net::proxy::Forward f;
  STACK_ASSIGN_OR_RETURN(f.protocol, net::proxy::parse_protocol(port.protocol).context("ports"));
  STACK_ASSIGN_OR_RETURN(f.host_ip, net::proxy::parse_host_ip(port.host_ip).context("ports"));
  f.host_port = port.published_min;
  if (port.published_max > port.published_min) f.host_port_last = port.published_max;
  f.target_ip = target_ip;
  f.target_port = port.target;
  return f;
}

Result<void> check_port_free(const net::proxy::Forward& port) {
  auto bound = net::proxy::bind_ports({port});  // closed again at once
  if (bound) return util::ok();
  const int err = bound.error().sys_errno();
  if (err == EADDRINUSE || err == EACCES) {
    return Error(Errc::conflict, "port " + net::proxy::describe_listen(port) + " is already in use");
  }
  if (err == EADDRNOTAVAIL) {
    return Error(Errc::invalid_argument, "host ip " + port.host_ip + " is not an address of this host");
  }
  return std::move(bound).error();
}

}  // namespace stack::scheduler
