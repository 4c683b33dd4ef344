// The seam between the container process and src/runtime/cgroup: a join_cgroup hook (for
// CreateHooks or ExecHooks) that moves the new process into a cgroup Manager before it runs.
#pragma once

#include <sys/types.h>

#include <functional>

#include "runtime/cgroup/manager.hpp"
#include "runtime/container/config.hpp"

namespace stack::runtime {

// The manager must outlive the create() or exec_in() call that runs the hook.
inline std::function<Result<void>(pid_t)> join_cgroup_hook(cgroup::Manager& manager) {
  return [&manager](pid_t pid) { return manager.add_process(pid); };
}

}  // namespace stack::runtime
