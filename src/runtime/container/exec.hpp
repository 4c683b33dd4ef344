// exec_in: start a process inside a running container (docker exec). It joins the container's
// mount, PID, UTS, IPC, network and cgroup namespaces, runs as the configured user with the
// container's capabilities and seccomp profile, and is a child of the caller.
#pragma once

#include <sys/types.h>

#include <functional>
#include <vector>

#include "runtime/container/config.hpp"
#include "util/child_process.hpp"
#include "util/fd.hpp"

namespace stack::runtime {

using Process = util::ChildProcess;

struct ExecHooks {
  // Called with the process's pid before it does anything: join the container's cgroup here.
  std::function<Result<void>(pid_t)> join_cgroup;
  // cgroup v1 `tasks` files (Manager::self_join_files): the process writes itself into them first
  // thing, instead of join_cgroup.
  std::vector<int> cgroup_tasks;
};

// Returns once execve succeeded, or with the error of the failing step, e.g.
// `exec "/nope": No such file or directory`. wait() on the result gives the exit status.
// config.tty is refused here: see exec_in_terminal.
Result<Process> exec_in(pid_t container_pid, const ExecConfig& config, const ExecHooks& hooks = {});

// A process with a terminal, and the master side of that terminal: what the caller writes there is
// the process's input, what it reads is its output (both streams).
struct TerminalProcess {
  Process process;
  util::UniqueFd master;
};

// As exec_in, for config.tty: the process opens a new pseudo-terminal from the container's own
// /dev/ptmx (so that `tty` names a /dev/pts path inside it), owned by its user, becomes the leader
// of a new session with the slave as controlling terminal and stdin/stdout/stderr (config's stdio
// fds are ignored), and passes the master back to the caller before it execs.
Result<TerminalProcess> exec_in_terminal(pid_t container_pid, const ExecConfig& config,
                                         const ExecHooks& hooks = {});

}  // namespace stack::runtime
