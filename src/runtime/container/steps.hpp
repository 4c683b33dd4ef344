// The container process's setup, as an ordered table of named steps (runc's init, Mesos's
// isolators): each runs in the cloned child, in its new namespaces, and the first failure is sent
// to the parent as {step, errno, detail}. Internal to src/runtime/container.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "runtime/container/config.hpp"
#include "runtime/container/user.hpp"
#include "runtime/security/capabilities.hpp"

namespace stack::runtime {

// One byte messages on the sync socket.
inline constexpr char kMsgGo = 'G';     // parent: cgroup and network are ready, set up
inline constexpr char kMsgReady = 'R';  // child: set up, waiting to exec
inline constexpr char kMsgStart = 'S';  // parent: exec now

struct ChildContext {
  ContainerConfig& config;
  int sync_fd = -1;
  int error_fd = -1;
  int netns_fd = -1;  // network join: opened by the parent before clone
  int ipc_fd = -1;    // ipc and uts joins, the same way
  int uts_fd = -1;
  std::vector<int> cgroup_tasks;  // v1 `tasks` files to write itself into, first thing
  std::string root;   // host path of the container's root mount, until pivot_root
  ResolvedUser user;
  security::CapSet caps = 0;
  std::string seccomp_program;  // read from config.security.seccomp_program_file before pivot_root
};

struct Step {
  const char* name;
  Result<void> (*run)(ChildContext&);
  bool (*when)(const ChildContext&) = nullptr;  // null: always
};

std::span<const Step> container_steps();

// Runs the steps in order; on the first failure writes the report to ctx.error_fd and exits the
// process. Never returns (the last step execs).
[[noreturn]] void run_steps(std::span<const Step> steps, ChildContext& ctx);

// Entry point of the cloned child: runs the table on config, which it has from the parent's
// memory (clone copies it; changes stay in the child). Sending it over the sync socket cost a
// JSON round trip per container.
// Descriptors of the namespaces the child joins (-1: none), opened by the parent before clone.
struct JoinFds {
  int net = -1;
  int ipc = -1;
  int uts = -1;
  std::vector<int> cgroup_tasks;  // cgroup v1 `tasks` files (CreateHooks::cgroup_tasks)
};
[[noreturn]] void child_main(ContainerConfig& config, int sync_fd, int error_fd, const JoinFds& joins);

// Steps, grouped by the file (kernel feature) that implements them.
Result<void> step_stdio(ChildContext& ctx);              // steps.cpp
Result<void> step_wait_go(ChildContext& ctx);
Result<void> step_hostname(ChildContext& ctx);
Result<void> step_sysctl(ChildContext& ctx);
Result<void> step_rlimits(ChildContext& ctx);
Result<void> step_oom_score_adj(ChildContext& ctx);
Result<void> step_ready(ChildContext& ctx);
Result<void> step_join_namespaces(ChildContext& ctx);
Result<void> step_network(ChildContext& ctx);            // network.cpp
Result<void> step_private_mounts(ChildContext& ctx);     // rootfs.cpp
Result<void> step_rootfs(ChildContext& ctx);
Result<void> step_workdir(ChildContext& ctx);
Result<void> step_pivot_root(ChildContext& ctx);
Result<void> step_readonly_rootfs(ChildContext& ctx);
Result<void> step_config_mounts(ChildContext& ctx);      // mounts.cpp
Result<void> step_etc_files(ChildContext& ctx);
Result<void> step_masked_paths(ChildContext& ctx);
Result<void> step_readonly_paths(ChildContext& ctx);
Result<void> step_proc(ChildContext& ctx);               // kernfs.cpp
Result<void> step_sys(ChildContext& ctx);
Result<void> step_join_cgroup(ChildContext& ctx);       // cgroup_fs.cpp
Result<void> step_cgroup_namespace(ChildContext& ctx);
Result<void> step_cgroup_fs(ChildContext& ctx);
Result<void> step_dev(ChildContext& ctx);                // devices.cpp
Result<void> step_devpts(ChildContext& ctx);
Result<void> step_shm(ChildContext& ctx);
Result<void> step_mqueue(ChildContext& ctx);
Result<void> step_resolve_user(ChildContext& ctx);       // identity.cpp
Result<void> step_terminal(ChildContext& ctx);
Result<void> step_bounding_set(ChildContext& ctx);
Result<void> step_switch_user(ChildContext& ctx);
Result<void> step_capabilities(ChildContext& ctx);
Result<void> step_chdir(ChildContext& ctx);
Result<void> step_no_new_privs(ChildContext& ctx);
Result<void> step_seccomp(ChildContext& ctx);
Result<void> step_exec(ChildContext& ctx);               // exec.cpp

// Shared with exec_in: PATH lookup in the (already entered) root, then execve. Returns only on
// failure, e.g. `exec "/app/server": No such file or directory`.
Result<void> exec_command(const std::vector<std::string>& args, const std::vector<std::string>& env);

// An exec made ready beforehand, for a vfork child, which must not allocate: the paths to try
// (PATH order, or the one given) and the argument and environment arrays, pointing into args
// and env (which must outlive it).
struct PreparedExec {
  std::string name;
  std::vector<std::string> candidates;
  std::vector<char*> argv;
  std::vector<char*> envp;
};
PreparedExec prepare_exec(const std::vector<std::string>& args, const std::vector<std::string>& env);
// Resets signal dispositions and the mask, then tries the candidates as execvp does. Returns only
// on failure, with the errno that exec_error() turns into the message. Allocates nothing.
int exec_prepared(const PreparedExec& exec);
util::Error exec_error(const PreparedExec& exec, int err);

// Puts fds on 0, 1, 2 (-1: /dev/null), moves each *keep above 2 and marks every descriptor
// above 2 close-on-exec, so that nothing but stdio reaches the command.
Result<void> setup_stdio(int stdin_fd, int stdout_fd, int stderr_fd, std::initializer_list<int*> keep);

// init: true. Starts the command with vfork (the child shares this process's memory until its
// exec, so none of it is copied); this process stays PID 1, forwards signals, reaps every zombie
// and exits with the command's status. Returns only if the command could not be exec'd.
Result<void> become_init(int error_fd, const PreparedExec& command);

}  // namespace stack::runtime
