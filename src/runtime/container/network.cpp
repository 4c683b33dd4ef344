// The network step: join another container's namespace, or bring up loopback in our own. Bridges
// and veth pairs are src/net's; the parent sets them up through the create hooks before "go".
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <unistd.h>

#include <cstring>

#include "runtime/container/steps.hpp"
#include "runtime/sys/process.hpp"
#include "util/fd.hpp"

namespace stack::runtime {

using util::Error;

namespace {

Result<void> loopback_up() {
  util::UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) return Error::from_errno("socket for 'lo'");
  ifreq req{};
  std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(sock.get(), SIOCGIFFLAGS, &req) < 0) return Error::from_errno("read flags of 'lo'");
  req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
  if (::ioctl(sock.get(), SIOCSIFFLAGS, &req) < 0) return Error::from_errno("bring up 'lo'");
  return util::ok();
}

}  // namespace

Result<void> step_network(ChildContext& ctx) {
  const auto& net = ctx.config.network;
  switch (net.mode) {
    case NetworkMode::host:
      return util::ok();
    case NetworkMode::join: {
      auto r = sys::setns(ctx.netns_fd, CLONE_NEWNET);
      if (!r) return Error::from_errno("join network namespace '" + net.join_path + "'", r.error().sys_errno());
      ::close(ctx.netns_fd);
      ctx.netns_fd = -1;
      return util::ok();
    }
    case NetworkMode::own:
    case NetworkMode::none:
      // A new network namespace starts with lo down; docker's "none" has it up.
      return loopback_up();
  }
  return util::ok();
}

}  // namespace stack::runtime
