#include "runtime/shim/port_proxy_child.hpp"

#include <malloc.h>
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
  // A connection's two 64 KiB buffers are mapped with it and unmapped when it closes: after a burst
  // of connections the memory goes back to the system instead of staying in the heap.
  ::mallopt(M_MMAP_THRESHOLD, 64 * 1024);
  auto proxy = net::proxy::PortProxy::adopt(std::move(ports));
  if (!proxy) ::_exit(1);
  ::_exit((*proxy)->run() ? 0 : 1);
}

}  // namespace

util::Result<util::ChildProcess> start_port_proxy(const std::vector<net::proxy::BoundPort>& ports) {
  if (ports.empty()) return util::ChildProcess();
  std::vector<net::proxy::BoundPort> copies;
  for (const net::proxy::BoundPort& port : ports) {
    STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, port.fd.dup());
    copies.push_back({port.forward, std::move(fd)});
  }
  const pid_t shim = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return util::Error::from_errno("fork of the port proxy");
  if (pid == 0) serve(std::move(copies), shim);
  return util::ChildProcess(pid);  // the shim's copies close with `copies`; it keeps `ports`
}

}  // namespace stack::runtime::shim
