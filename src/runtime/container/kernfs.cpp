// Kernel file systems: a new /proc for the container's PID namespace, and /sys read-only.
#include <sys/mount.h>

#include "runtime/container/mounts.hpp"
#include "runtime/container/steps.hpp"

namespace stack::runtime {

Result<void> step_proc(ChildContext& ctx) {
  // A new procfs shows the new PID namespace (mounted from inside it); the host's would not.
  return mount_in_root(ctx.root, "/proc", "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                       "", true);
}

Result<void> step_sys(ChildContext& ctx) {
  constexpr unsigned long kFlags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  if (ctx.config.network.mode == NetworkMode::host) {
    // sysfs shows the network namespace it is mounted in; with the host's, a read-only bind of
    // the host's /sys is what docker gives.
    return mount_in_root(ctx.root, "/sys", "sysfs", "/sys", "", MS_BIND | MS_REC | kFlags, "", true);
  }
  return mount_in_root(ctx.root, "/sys", "sysfs", "sysfs", "sysfs", kFlags, "", true);
}

}  // namespace stack::runtime
