#include "runtime/container/steps.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <tuple>

#include "runtime/container/report.hpp"
#include "runtime/container/rlimits.hpp"
#include "runtime/container/sysctl.hpp"
#include "runtime/sys/file.hpp"
#include "runtime/sys/process.hpp"
#include "util/fd.hpp"

namespace stack::runtime {

using util::Errc;
using util::Error;

namespace {

bool is_read_only(const ChildContext& c) { return c.config.read_only; }
bool has_tty(const ChildContext& c) { return c.config.tty; }
bool has_hostname(const ChildContext& c) {
  return c.config.uts.mode == ShareMode::own && (!c.config.hostname.empty() || !c.config.domainname.empty());
}
bool has_sysctls(const ChildContext& c) { return !c.config.sysctls.empty(); }
bool has_rlimits(const ChildContext& c) { return !c.config.rlimits.empty(); }
bool has_oom_score_adj(const ChildContext& c) { return c.config.oom_score_adj.has_value(); }
bool confined(const ChildContext& c) {
  return c.config.security.seccomp == SeccompMode::default_profile &&
         !c.config.security.capabilities.privileged;
}
// Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: do it before capabilities drop.
bool seccomp_early(const ChildContext& c) { return confined(c) && !c.config.security.no_new_privileges; }
bool seccomp_late(const ChildContext& c) { return confined(c) && c.config.security.no_new_privileges; }
bool wants_nnp(const ChildContext& c) { return c.config.security.no_new_privileges; }
bool own_cgroupns(const ChildContext& c) { return !c.config.host_cgroupns; }
bool joins_cgroup_itself(const ChildContext& c) { return !c.cgroup_tasks.empty(); }

// The order matters: mounts before pivot_root, sysctls before /proc/sys turns read-only, the user
// switch between bounding set and capabilities, seccomp last so that setup is not filtered.
constexpr Step kSteps[] = {
    {"cgroup", step_join_cgroup, joins_cgroup_itself},
    {"stdio", step_stdio},
    {"ipc and uts", step_join_namespaces},
    {"network", step_network},
    {"mount propagation", step_private_mounts},
    {"rootfs", step_rootfs},
    {"mounts", step_config_mounts},
    {"proc", step_proc},
    {"dev", step_dev},
    {"dev/pts", step_devpts},
    {"dev/shm", step_shm},
    {"dev/mqueue", step_mqueue},
    {"sys", step_sys},
    {"etc files", step_etc_files},
    {"workdir", step_workdir},
    {"pivot_root", step_pivot_root},
    {"hostname", step_hostname, has_hostname},
    // The parent may set the network up meanwhile (and join the process to its cgroups when it
    // did not join them itself, the "cgroup" step): the mounts above need neither, the
    // per-interface sysctls and everything from here on do.
    {"wait for parent", step_wait_go},
    {"cgroup namespace", step_cgroup_namespace, own_cgroupns},
    {"cgroup fs", step_cgroup_fs},
    {"sysctl", step_sysctl, has_sysctls},
    {"masked paths", step_masked_paths},
    {"readonly paths", step_readonly_paths},
    {"read-only rootfs", step_readonly_rootfs, is_read_only},
    {"rlimits", step_rlimits, has_rlimits},
    {"oom_score_adj", step_oom_score_adj, has_oom_score_adj},
    {"user", step_resolve_user},
    {"tty", step_terminal, has_tty},
    {"seccomp", step_seccomp, seccomp_early},
    {"bounding set", step_bounding_set},
    {"switch user", step_switch_user},
    {"capabilities", step_capabilities},
    {"cwd", step_chdir},
    {"no_new_privs", step_no_new_privs, wants_nnp},
    {"seccomp", step_seccomp, seccomp_late},
    {"ready", step_ready},
    {"exec", step_exec},
};

Result<void> expect_byte(int fd, char want, const char* what) {
  char got = 0;
  STACK_ASSIGN_OR_RETURN(bool any, util::read_exact(fd, &got, 1));
  if (!any) return Error(Errc::io, std::string("parent went away before ") + what);
  if (got != want) return Error(Errc::internal, std::string("unexpected message before ") + what);
  return util::ok();
}

}  // namespace

std::span<const Step> container_steps() { return kSteps; }

void run_steps(std::span<const Step> steps, ChildContext& ctx) {
  for (const auto& step : steps) {
    if (step.when && !step.when(ctx)) continue;
    auto r = step.run(ctx);
    if (!r) {
      write_report(ctx.error_fd, StepError::from(step.name, r.error()));
      ::_exit(127);
    }
  }
  // The last step execs; falling out of the table is a bug in the table.
  write_report(ctx.error_fd, StepError::from("exec", Error(Errc::internal, "steps ended without exec")));
  ::_exit(127);
}

void child_main(ContainerConfig& config, int sync_fd, int error_fd, const JoinFds& joins) {
  ChildContext ctx{.config = config,
                   .sync_fd = sync_fd,
                   .error_fd = error_fd,
                   .netns_fd = joins.net,
                   .ipc_fd = joins.ipc,
                   .uts_fd = joins.uts,
                   .cgroup_tasks = joins.cgroup_tasks};
  // If the parent dies during setup, do not linger half made; cleared once ready.
  (void)sys::set_parent_death_signal(SIGKILL);
  if (const auto& file = config.security.seccomp_program_file; !file.empty()) {
    if (auto program = util::read_file(file)) ctx.seccomp_program = std::move(*program);  // else built later
  }
  run_steps(container_steps(), ctx);
}

Result<void> setup_stdio(int stdin_fd, int stdout_fd, int stderr_fd, std::initializer_list<int*> keep) {
  STACK_ASSIGN_OR_RETURN(util::UniqueFd null_fd, util::UniqueFd::open("/dev/null", O_RDWR));
  int sources[3] = {stdin_fd, stdout_fd, stderr_fd};
  util::UniqueFd copies[3];
  // Copy above 2 first: a source or a kept fd may itself be 0, 1 or 2.
  for (int i = 0; i < 3; ++i) {
    int src = sources[i] < 0 ? null_fd.get() : sources[i];
    int fd = ::fcntl(src, F_DUPFD_CLOEXEC, 3);
    if (fd < 0) return Error::from_errno("stdio fd " + std::to_string(src));
    copies[i].reset(fd);
  }
  for (int* k : keep) {
    if (*k < 0) continue;
    int fd = ::fcntl(*k, F_DUPFD_CLOEXEC, 3);
    if (fd < 0) return Error::from_errno("fd " + std::to_string(*k));
    // The old number must not stay open: a process that does not exec (init) would hold it.
    bool is_source = *k == stdin_fd || *k == stdout_fd || *k == stderr_fd;
    if (*k > 2 && !is_source) ::close(*k);
    *k = fd;
  }
  for (int i = 0; i < 3; ++i) {
    if (::dup2(copies[i].get(), i) < 0) return Error::from_errno("dup2 " + std::to_string(i));
  }
  return sys::cloexec_from(3);
}

Result<void> step_stdio(ChildContext& ctx) {
  const auto& c = ctx.config;
  return setup_stdio(c.stdin_fd, c.stdout_fd, c.stderr_fd,
                     {&ctx.sync_fd, &ctx.error_fd, &ctx.netns_fd, &ctx.ipc_fd, &ctx.uts_fd});
}

// Another container's IPC and UTS namespaces, joined before anything is mounted: /dev/mqueue then
// shows the joined namespace's queues. (PID is joined by the parent: it applies to children.)
Result<void> step_join_namespaces(ChildContext& ctx) {
  for (auto [fd, type, share] : {std::tuple{&ctx.ipc_fd, CLONE_NEWIPC, &ctx.config.ipc},
                                 std::tuple{&ctx.uts_fd, CLONE_NEWUTS, &ctx.config.uts}}) {
    if (*fd < 0) continue;
    auto r = sys::setns(*fd, type);
    if (!r) return Error::from_errno("join namespace '" + share->join_path + "'", r.error().sys_errno());
    ::close(*fd);
    *fd = -1;
  }
  return util::ok();
}

Result<void> step_wait_go(ChildContext& ctx) { return expect_byte(ctx.sync_fd, kMsgGo, "setup"); }

Result<void> step_hostname(ChildContext& ctx) {
  if (!ctx.config.hostname.empty()) STACK_TRY(sys::set_hostname(ctx.config.hostname));
  if (!ctx.config.domainname.empty()) STACK_TRY(sys::set_domainname(ctx.config.domainname));
  return util::ok();
}

Result<void> step_sysctl(ChildContext& ctx) {
  // Checked again here: the config came over a socket, and the check is cheap.
  STACK_TRY(check_sysctls(ctx.config.sysctls, ctx.config.network.mode, ctx.config.ipc.mode == ShareMode::host));
  return apply_sysctls(ctx.config.sysctls);
}

Result<void> step_rlimits(ChildContext& ctx) { return apply_rlimits(ctx.config.rlimits); }

// While the process still has CAP_SYS_RESOURCE, which lowering the score needs; the value is
// inherited by everything the container starts.
Result<void> step_oom_score_adj(ChildContext& ctx) {
  return sys::write_file("/proc/self/oom_score_adj", std::to_string(*ctx.config.oom_score_adj));
}

Result<void> step_ready(ChildContext& ctx) {
  if (!ctx.config.die_with_parent) STACK_TRY(sys::set_parent_death_signal(0));
  STACK_TRY(util::write_all(ctx.sync_fd, std::string_view(&kMsgReady, 1)));
  STACK_TRY(expect_byte(ctx.sync_fd, kMsgStart, "start"));
  ::close(ctx.sync_fd);
  ctx.sync_fd = -1;
  return util::ok();
}

}  // namespace stack::runtime
