// exec_in. Joining a PID namespace only affects children, so it takes two processes: a helper
// that joins the namespaces, and its child (made with CLONE_PARENT, so that it is the caller's
// child) that is born inside them, sets up its identity and execs. The helper reports the pid and
// exits. Errors come back over the same kind of CLOEXEC error pipe as in create().
#include "runtime/container/exec.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdint>

#include "runtime/container/cgroup_fs.hpp"
#include "runtime/container/report.hpp"
#include "runtime/container/steps.hpp"
#include "runtime/container/terminal.hpp"
#include "runtime/container/user.hpp"
#include "runtime/security/capabilities.hpp"
#include "runtime/security/seccomp.hpp"
#include "runtime/sys/process.hpp"
#include "runtime/sys/terminal.hpp"
#include "util/fd.hpp"

namespace stack::runtime {

using util::Errc;
using util::Error;
using util::UniqueFd;

namespace {

struct Namespace {
  const char* name;
  int type;
};

// The mount namespace goes last: after it, /proc is the container's.
constexpr Namespace kNamespaces[] = {
    {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET},
    {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP}, {"mnt", CLONE_NEWNS},
};

struct Channels {
  util::Pipe errors;  // child -> caller: report, or end of file at exec
  util::Pipe pid;     // helper -> caller: the child's pid
  util::Pipe go;      // caller -> child: the cgroup is joined
  util::SocketPair terminal;  // child -> caller: the pty master (tty only)
  std::vector<UniqueFd> namespaces;
  std::vector<int> cgroup_tasks;  // ExecHooks::cgroup_tasks, the caller's
};

[[noreturn]] void fail(int fd, const char* step, const Error& e) {
  write_report(fd, StepError::from(step, e));
  ::_exit(127);
}

// The process that execs, inside the container's namespaces. terminal_fd: -1 without a tty.
Result<void> exec_steps(const ExecConfig& c, const std::vector<int>& cgroup_tasks, int go_fd, int terminal_fd,
                        int* errors_fd) {
  STACK_TRY(join_cgroup_itself(cgroup_tasks));
  int go = go_fd;
  int terminal = terminal_fd;
  if (terminal >= 0) {
    STACK_TRY(setup_stdio(-1, -1, -1, {&go, &terminal, errors_fd}));
  } else {
    STACK_TRY(setup_stdio(c.stdin_fd, c.stdout_fd, c.stderr_fd, {&go, errors_fd}));
  }
  char byte = 0;
  STACK_ASSIGN_OR_RETURN(bool got, util::read_exact(go, &byte, 1));
  if (!got) return Error(Errc::io, "caller went away before exec");
  ::close(go);
  STACK_ASSIGN_OR_RETURN(ResolvedUser user, resolve_user_in_root(c.user, "/", c.additional_groups));
  if (terminal >= 0) {
    STACK_TRY(in_context(attach_terminal(terminal, user), "terminal"));
    ::close(terminal);
  }
  std::vector<std::string> env = c.env;
  add_home(env, user);
  STACK_ASSIGN_OR_RETURN(security::CapSet caps, security::compute_capabilities(c.security.capabilities));
  bool confined = c.security.seccomp == SeccompMode::default_profile &&
                  !c.security.capabilities.privileged;
  if (confined && !c.security.no_new_privileges) STACK_TRY(security::load_default_profile(caps));
  STACK_TRY(security::drop_bounding(caps));
  STACK_TRY(switch_user(user));
  STACK_TRY(security::apply_capabilities(caps));
  STACK_TRY(sys::chdir(c.cwd));
  if (c.security.no_new_privileges) STACK_TRY(sys::set_no_new_privs());
  if (confined && c.security.no_new_privileges) STACK_TRY(security::load_default_profile(caps));
  return exec_command(c.args, env);
}

[[noreturn]] void helper_main(const ExecConfig& config, Channels& ch) {
  int errors = ch.errors.write.get();
  for (std::size_t i = 0; i < ch.namespaces.size(); ++i) {
    auto r = sys::setns(ch.namespaces[i].get(), kNamespaces[i].type);
    if (!r) fail(errors, "setns", Error::from_errno(std::string("join ") + kNamespaces[i].name +
                                                        " namespace", r.error().sys_errno()));
  }
  auto pid = sys::clone(CLONE_PARENT);
  if (!pid) fail(errors, "clone", pid.error());
  if (*pid == 0) {
    int terminal = ch.terminal.second ? ch.terminal.second.get() : -1;
    auto r = exec_steps(config, ch.cgroup_tasks, ch.go.read.get(), terminal, &errors);
    fail(errors, "exec", r.error());
  }
  auto value = static_cast<std::int32_t>(*pid);
  auto w = util::write_all(ch.pid.write.get(), std::string_view(reinterpret_cast<char*>(&value), 4));
  ::_exit(w ? 0 : 127);
}

Result<Channels> open_channels(pid_t container_pid, bool tty) {
  Channels ch;
  for (const auto& ns : kNamespaces) {
    std::string path = "/proc/" + std::to_string(container_pid) + "/ns/" + ns.name;
    STACK_ASSIGN_OR_RETURN(UniqueFd fd, UniqueFd::open(path, O_RDONLY));
    ch.namespaces.push_back(std::move(fd));
  }
  STACK_ASSIGN_OR_RETURN(ch.errors, util::Pipe::make());
  STACK_ASSIGN_OR_RETURN(ch.pid, util::Pipe::make());
  STACK_ASSIGN_OR_RETURN(ch.go, util::Pipe::make());
  if (tty) {
    STACK_ASSIGN_OR_RETURN(ch.terminal, util::SocketPair::make());
  }
  return ch;
}

// Both flavours of exec_in; master is set for a tty.
Result<Process> start(pid_t container_pid, const ExecConfig& config, const ExecHooks& hooks,
                      UniqueFd* master) {
  if (config.args.empty()) return Error(Errc::invalid_argument, "exec: no command");
  STACK_ASSIGN_OR_RETURN(Channels ch, open_channels(container_pid, master != nullptr));
  ch.cgroup_tasks = hooks.cgroup_tasks;
  STACK_ASSIGN_OR_RETURN(pid_t helper_pid, sys::clone(0));
  if (helper_pid == 0) helper_main(config, ch);
  util::ChildProcess helper(helper_pid);
  ch.errors.write.reset();
  ch.pid.write.reset();
  ch.go.read.reset();
  ch.terminal.second.reset();
  std::int32_t value = 0;
  auto got = util::read_exact(ch.pid.read.get(), &value, sizeof value);
  (void)helper.wait();
  if (!got || !*got) {
    STACK_ASSIGN_OR_RETURN(auto report, read_report(ch.errors.read.get()));
    if (report) return report->to_error();
    return Error(Errc::internal, "exec helper died without a report");
  }
  Process process(static_cast<pid_t>(value));
  if (hooks.join_cgroup && hooks.cgroup_tasks.empty()) {
    STACK_TRY(in_context(hooks.join_cgroup(process.pid()), "joining cgroup"));
  }
  STACK_TRY(util::write_all(ch.go.write.get(), "G"));
  ch.go.write.reset();
  if (master != nullptr) {
    // End of file instead of a descriptor: the process failed before, and its report says why.
    STACK_ASSIGN_OR_RETURN(std::optional<UniqueFd> fd, sys::receive_fd(ch.terminal.first.get()));
    if (fd) *master = std::move(*fd);
  }
  STACK_ASSIGN_OR_RETURN(auto report, read_report(ch.errors.read.get()));
  if (report) {
    (void)process.wait();
    return report->to_error();
  }
  if (master != nullptr && !*master) return Error(Errc::internal, "exec: no terminal came back");
  return process;
}

}  // namespace

Result<Process> exec_in(pid_t container_pid, const ExecConfig& config, const ExecHooks& hooks) {
  if (config.tty) return Error(Errc::invalid_argument, "exec: a tty needs exec_in_terminal");
  return start(container_pid, config, hooks, nullptr);
}

Result<TerminalProcess> exec_in_terminal(pid_t container_pid, const ExecConfig& config,
                                         const ExecHooks& hooks) {
  if (!config.tty) return Error(Errc::invalid_argument, "exec: exec_in_terminal without tty");
  TerminalProcess t;
  STACK_ASSIGN_OR_RETURN(t.process, start(container_pid, config, hooks, &t.master));
  return t;
}

}  // namespace stack::runtime
