// Container: the parent's handle on one container process (create -> start -> wait -> remove).
//
//   auto c = Container::create(config, {.join_cgroup = ..., .setup_network = ...});
//   STACK_TRY(c->start());          // returns once execve succeeded, or with the step's error
//   auto status = c->wait();        // {code, signal}
//   STACK_TRY(c->remove());         // kills if needed, removes the dirs create() made
//
// The child is cloned into new mount, PID, UTS, IPC, cgroup (and network) namespaces and runs the
// steps table (steps.hpp). Dropping a Container kills its process and removes what it made.
#pragma once

#include <sys/types.h>

#include <functional>
#include <vector>
#include <memory>
#include <optional>
#include <string>

#include "runtime/container/config.hpp"
#include "util/child_process.hpp"
#include "util/fd.hpp"

namespace stack::runtime {

using util::ExitStatus;

// The parent's work between clone and the child's setup. Both get the container's pid (in the
// caller's PID namespace); an error aborts create() and kills the child.
struct CreateHooks {
  // Put the process into its cgroup (src/runtime/cgroup Manager::add_process) before it runs
  // anything the limits should cover.
  std::function<Result<void>(pid_t)> join_cgroup;
  // A cgroup v2 directory (Manager::clone_target) to clone the process into; join_cgroup then runs
  // only if the kernel cannot (before Linux 5.7).
  int clone_into_cgroup = -1;
  // cgroup v1 `tasks` files (Manager::self_join_files): the child writes itself into them before
  // anything else, and join_cgroup is not called.
  std::vector<int> cgroup_tasks;
  // Network setup needing the process's netns (/proc/<pid>/ns/net): veth into it, addresses.
  std::function<Result<void>(pid_t)> setup_network;
};

enum class ContainerState { created, running, stopped, removed };

class Container {
 public:
  // Validates, makes the overlay dirs, clones the process, runs the hooks, lets the child set up
  // and returns when it waits for start(). On failure nothing is left: process killed and reaped,
  // dirs removed; the error names the step, e.g. "mount volume '/data': Permission denied".
  static Result<Container> create(const ContainerConfig& config, const CreateHooks& hooks = {});

  Container(Container&&) noexcept;
  Container& operator=(Container&&) noexcept;
  ~Container();

  // Releases the process to exec. Returns once execve succeeded (the CLOEXEC error pipe closed),
  // or the exec error: `exec "/app/server": No such file or directory`.
  Result<void> start();

  const std::string& id() const;
  pid_t pid() const;
  // With config.tty: the master of PID 1's terminal (its output, and its input), once; an empty
  // descriptor after the first call or without tty.
  util::UniqueFd take_terminal();
  ContainerState state() const;

  // Blocks until the container's PID 1 ends.
  Result<ExitStatus> wait();
  // The status if it has ended, nullopt while it runs.
  Result<std::optional<ExitStatus>> try_wait();
  Result<void> kill(int sig);

  // Kills (SIGKILL) and reaps if still running, then removes the dirs create() made. The
  // container's mounts live only in its mount namespace and end with its last process.
  // Exec'd processes (exec_in) must be reaped first: the kernel holds PID 1's exit until then.
  Result<void> remove();

  struct Impl;  // defined in container.cpp

 private:
  explicit Container(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The clone flags for a config: a new namespace of each kind the container does not share
// (CLONE_NEWNET unless host or joined; NEWIPC, NEWPID, NEWUTS unless host or joined). The cgroup
// namespace is made later, by the child, once it is in its cgroups.
std::uint64_t namespace_flags(const ContainerConfig& config);

}  // namespace stack::runtime
