#include "runtime/shim/port_proxy_child.hpp"

#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include "net/proxy/port_proxy.hpp"

namespace stack::runtime::shim {
namespace {

// Closes every descriptor from 3 up except keep: the child must not hold the shim's ready pipe
// (the Runtime waits for its end of file), control socket or log pipes.
void close_all_but(std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned from = 3;
  for (int fd : keep) {
    if (static_cast<unsigned>(fd) > from) ::syscall(SYS_close_range, from, static_cast<unsigned>(fd) - 1, 0u);
    from = std::max(from, static_cast<unsigned>(fd) + 1);
  }
  ::syscall(SYS_close_range, from, ~0u, 0u);
}

[[noreturn]] void serve(std::vector<net::proxy::BoundPort> ports, pid_t shim) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != shim) ::_exit(0);  // the shim died before the line above
  ::prctl(PR_SET_NAME, "stack-proxy");
  std::signal(SIGTERM, SIG_DFL);  // the shim's handlers write to its self-pipe
  std::signal(SIGINT, SIG_DFL);
  std::vector<int> keep;
  for (const auto& p : ports) keep.push_back(p.fd.get());
  close_all_but(keep);
  auto proxy = net::proxy::PortProxy::adopt(std::move(ports));
  if (!proxy) ::_exit(1);
  ::_exit((*proxy)->run() ? 0 : 1);
}

}  // namespace

util::Result<net::proxy::Forward> to_proxy_forward(const PortForward& port) {
  const std::string name = std::to_string(port.host_port) + "/" + port.protocol;
  net::proxy::Forward out;
  STACK_ASSIGN_OR_RETURN(out.protocol, net::proxy::parse_protocol(port.protocol).context("port " + name));
  STACK_ASSIGN_OR_RETURN(out.host_ip, net::Ipv4::parse(port.host_ip.empty() ? "0.0.0.0" : port.host_ip)
                                          .context("port " + name + ": host ip"));
  STACK_ASSIGN_OR_RETURN(out.target_ip, net::Ipv4::parse(port.target_ip).context("port " + name + ": target ip"));
  out.host_port = port.host_port;
  out.target_port = port.target_port;
  return out;
}

util::Result<util::ChildProcess> start_port_proxy(const std::vector<PortForward>& ports) {
  if (ports.empty()) return util::ChildProcess();
  std::vector<net::proxy::Forward> forwards;
  for (const PortForward& port : ports) {
    STACK_ASSIGN_OR_RETURN(net::proxy::Forward f, to_proxy_forward(port));
    forwards.push_back(f);
  }
  STACK_ASSIGN_OR_RETURN(std::vector<net::proxy::BoundPort> bound, net::proxy::bind_ports(forwards));
  const pid_t shim = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return util::Error::from_errno("fork of the port proxy");
  if (pid == 0) serve(std::move(bound), shim);
  return util::ChildProcess(pid);  // the shim's copies of the sockets close with `bound`
}

}  // namespace stack::runtime::shim
