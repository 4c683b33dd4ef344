// The seam between the container process and src/runtime/cgroup: how a new process (CreateHooks or
// ExecHooks) gets into a cgroup Manager's cgroup before it runs.
#pragma once

#include <sys/types.h>

#include <functional>
#include <vector>

#include "runtime/cgroup/manager.hpp"
#include "runtime/container/config.hpp"
#include "util/fd.hpp"

namespace stack::runtime {

// The manager must outlive the create() or exec_in() call that runs the hook.
inline std::function<Result<void>(pid_t)> join_cgroup_hook(cgroup::Manager& manager) {
  return [&manager](pid_t pid) { return manager.add_process(pid); };
}

// The descriptors that place a process in the manager's cgroup without the caller moving it,
// fastest first: cloned into it (cgroup v2, CLONE_INTO_CGROUP), or written in by itself (cgroup v1
// `tasks` files). Either may be empty; the join_cgroup hook covers what they do not. They must stay
// open until the create() or exec_in() call returns.
struct CgroupEntry {
  util::UniqueFd clone_target;
  std::vector<util::UniqueFd> tasks;

  std::vector<int> task_fds() const {
    std::vector<int> fds;
    for (const auto& fd : tasks) fds.push_back(fd.get());
    return fds;
  }
};

inline CgroupEntry cgroup_entry(const cgroup::Manager& manager) {
  return {manager.clone_target(), manager.self_join_files()};
}

}  // namespace stack::runtime
