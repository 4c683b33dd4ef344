// exec_in: start a process inside a running container (docker exec). It joins the container's
// mount, PID, UTS, IPC, network and cgroup namespaces, runs as the configured user with the
// container's capabilities and seccomp profile, and is a child of the caller.
#pragma once

#include <sys/types.h>

#include <functional>

#include "runtime/container/config.hpp"
#include "util/child_process.hpp"

namespace stack::runtime {

using Process = util::ChildProcess;

struct ExecHooks {
  // Called with the process's pid before it does anything: join the container's cgroup here.
  std::function<Result<void>(pid_t)> join_cgroup;
};

// Returns once execve succeeded, or with the error of the failing step, e.g.
// `exec "/nope": No such file or directory`. wait() on the result gives the exit status.
Result<Process> exec_in(pid_t container_pid, const ExecConfig& config, const ExecHooks& hooks = {});

}  // namespace stack::runtime
