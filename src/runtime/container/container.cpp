// The parent half: clone, run the hooks, release the child step by step, and
// read its error reports.
#include "runtime/container/container.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <optional>

#include "runtime/container/cgroup_fs.hpp"
#include "runtime/container/report.hpp"
#include "runtime/container/steps.hpp"
#include "runtime/container/undo.hpp"
#include "runtime/sys/file.hpp"
#include "runtime/sys/process.hpp"
#include "runtime/sys/terminal.hpp"
#include "util/dir.hpp"
#include "util/fd.hpp"

namespace stack::runtime {

using util::Errc;
using util::Error;
using util::UniqueFd;

namespace {

// Setup is mounts and a few writes; a minute means something is stuck.
constexpr int kSetupTimeoutMs = 60'000;

// A child that failed a step before reading its next message has closed its end: the send fails
// (no SIGPIPE for whoever links the runtime) and the child's report says why.
Result<void> send_byte(int fd, char c) { return util::send_all(fd, std::string_view(&c, 1)); }

// The child is gone (or failed): its report, or what wait() says when there is none.
Error failure_of(util::ChildProcess& child, int errors_fd, const char* phase) {
  auto report = read_report(errors_fd);
  auto status = child.wait();
  if (report && *report) return (*report)->to_error();
  if (!report) return std::move(report).error().context("container process");
  std::string how = status ? status->describe() : status.error().message();
  return Error(Errc::internal, std::string("container process died during ") + phase + ": " + how);
}

Result<void> make_dirs(const RootfsConfig& r, std::vector<std::string>& made) {
  if (r.lower_layers.empty()) return util::ok();
  for (const auto* dir : {&r.upper_dir, &r.work_dir, &r.merged_dir}) {
    if (dir->empty()) continue;
    bool existed = sys::path_kind(*dir) == sys::PathKind::directory;
    STACK_TRY(sys::mkdir_p(*dir, 0755));
    if (!existed) made.push_back(*dir);
  }
  return util::ok();
}

void remove_dirs(const std::vector<std::string>& dirs) {
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) (void)util::remove_tree(*it);
}

}  // namespace

std::uint64_t namespace_flags(const ContainerConfig& config) {
  // No CLONE_NEWCGROUP: the child unshares it once it is in its own cgroups (step_cgroup_namespace).
  std::uint64_t flags = CLONE_NEWNS;
  if (config.network.mode == NetworkMode::own || config.network.mode == NetworkMode::none) flags |= CLONE_NEWNET;
  if (config.ipc.mode == ShareMode::own) flags |= CLONE_NEWIPC;
  if (config.pid.mode == ShareMode::own) flags |= CLONE_NEWPID;
  if (config.uts.mode == ShareMode::own) flags |= CLONE_NEWUTS;
  return flags;
}

struct Container::Impl {
  ContainerConfig config;
  util::ChildProcess process;
  UniqueFd sync;
  UniqueFd errors;
  UniqueFd terminal;  // the pty master, with config.tty, until taken
  bool in_cgroup = false;  // cloned into it (CLONE_INTO_CGROUP) or joins it itself: no join_cgroup
  std::vector<std::string> made_dirs;
  ContainerState state = ContainerState::created;
};

namespace {

// Clones the child; returns only in the parent. The child never returns from here. A PID namespace
// is joined by the parent: setns changes the namespace of the caller's next children, so the
// parent's own is put back right after the clone.
// into_cgroup >= 0: cloned straight into that cgroup v2 directory when the kernel can (placed).
Result<util::ChildProcess> spawn(ContainerConfig& config, util::SocketPair& sync, util::Pipe& errors,
                                 const JoinFds& joins, int pidns_fd, int into_cgroup, bool& placed) {
  UniqueFd own_pidns;
  if (pidns_fd >= 0) {
    STACK_ASSIGN_OR_RETURN(own_pidns, UniqueFd::open("/proc/self/ns/pid", O_RDONLY));
    auto joined = sys::setns(pidns_fd, CLONE_NEWPID);
    if (!joined) return Error::from_errno("join namespace '" + config.pid.join_path + "'", joined.error().sys_errno());
  }
  auto cloned = sys::clone(namespace_flags(config), into_cgroup);
  placed = into_cgroup >= 0 && cloned.has_value();
  if (!cloned && into_cgroup >= 0) {
    // Before Linux 5.7 (ENOSYS, E2BIG), or refused: clone, then join, whose error names the cgroup.
    cloned = sys::clone(namespace_flags(config));
  }
  if (cloned && *cloned == 0) {
    sync.first.reset();
    errors.read.reset();
    child_main(config, sync.second.get(), errors.write.get(), joins);
  }
  std::optional<util::ChildProcess> child;
  if (cloned) child.emplace(*cloned);  // killed and reaped if this fails below
  if (own_pidns) {
    auto back = sys::setns(own_pidns.get(), CLONE_NEWPID);
    if (!back) return std::move(back).error().context("return to the shim's PID namespace");
  }
  if (!cloned) return std::move(cloned).error();
  sync.second.reset();
  errors.write.reset();
  return std::move(*child);
}

// Runs the hooks, says go, and waits for the child to be ready.
Result<void> set_up(Container::Impl& c, const CreateHooks& hooks) {
  pid_t pid = c.process.pid();
  // The child sets its mounts up meanwhile: one that failed and ended says why, not the hook
  // that found it gone.
  auto hook = [&c, pid](const std::function<Result<void>(pid_t)>& f, const char* what) -> Result<void> {
    if (!f) return util::ok();
    auto r = f(pid);
    if (r) return r;
    if (auto ended = c.process.try_wait(); ended && *ended) return failure_of(c.process, c.errors.get(), "setup");
    return in_context(std::move(r), what);
  };
  if (!c.in_cgroup) STACK_TRY(hook(hooks.join_cgroup, "joining cgroup"));
  STACK_TRY(hook(hooks.setup_network, "setting up network"));
  if (!send_byte(c.sync.get(), kMsgGo)) return failure_of(c.process, c.errors.get(), "setup");
  auto next_message = [&c]() -> Result<void> {
    STACK_ASSIGN_OR_RETURN(bool readable, util::wait_readable(c.sync.get(), kSetupTimeoutMs));
    if (!readable) return Error(Errc::timeout, "container setup did not finish within 60s");
    return util::ok();
  };
  STACK_TRY(next_message());
  if (c.config.tty) {
    // The terminal step sends the master before the ready message; end of file means a step
    // before it failed, and the report says which.
    STACK_ASSIGN_OR_RETURN(std::optional<UniqueFd> master, sys::receive_fd(c.sync.get()));
    if (!master) return failure_of(c.process, c.errors.get(), "setup");
    c.terminal = std::move(*master);
    STACK_TRY(next_message());
  }
  char msg = 0;
  auto got = util::read_exact(c.sync.get(), &msg, 1);
  if (got && *got && msg == kMsgReady) return util::ok();
  return failure_of(c.process, c.errors.get(), "setup");
}

}  // namespace

Result<Container> Container::create(const ContainerConfig& config, const CreateHooks& hooks) {
  STACK_TRY(in_context(validate(config), "container '" + config.id + "'"));
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  Undo undo;
  STACK_TRY(make_dirs(config.rootfs, impl->made_dirs));
  undo.add([dirs = impl->made_dirs] { remove_dirs(dirs); });
  UniqueFd netns, ipcns, utsns, pidns;
  if (config.network.mode == NetworkMode::join) {
    STACK_ASSIGN_OR_RETURN(netns, UniqueFd::open(config.network.join_path, O_RDONLY));
  }
  for (auto [fd, share] : {std::pair{&ipcns, &config.ipc}, std::pair{&utsns, &config.uts}, std::pair{&pidns, &config.pid}}) {
    if (share->mode == ShareMode::join) {
      STACK_ASSIGN_OR_RETURN(*fd, UniqueFd::open(share->join_path, O_RDONLY));
    }
  }
  STACK_ASSIGN_OR_RETURN(auto sync, util::SocketPair::make());
  STACK_ASSIGN_OR_RETURN(auto errors, util::Pipe::make());
  (void)host_cgroup_fs_layout();  // detected here, once per process: the child only reads it
  STACK_ASSIGN_OR_RETURN(impl->process,
                         spawn(impl->config, sync, errors,
                               JoinFds{netns.get(), ipcns.get(), utsns.get(), hooks.cgroup_tasks}, pidns.get(),
                               hooks.clone_into_cgroup, impl->in_cgroup));
  impl->in_cgroup = impl->in_cgroup || !hooks.cgroup_tasks.empty();
  impl->sync = std::move(sync.first);
  impl->errors = std::move(errors.read);
  // On failure the process must die before its dirs go (Undo runs after this guard's scope).
  auto r = set_up(*impl, hooks);
  if (!r) {
    impl->process = util::ChildProcess();
    return std::move(r).error();
  }
  undo.cancel();
  return Container(std::move(impl));
}

Container::Container(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Container::Container(Container&&) noexcept = default;
Container& Container::operator=(Container&& other) noexcept {
  if (this != &other) {
    if (impl_) (void)remove();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
Container::~Container() {
  if (impl_) (void)remove();
}

const std::string& Container::id() const { return impl_->config.id; }
UniqueFd Container::take_terminal() { return std::move(impl_->terminal); }
pid_t Container::pid() const { return impl_->process.pid(); }
ContainerState Container::state() const { return impl_->state; }

Result<void> Container::start() {
  if (impl_->state != ContainerState::created) {
    return Error(Errc::conflict, "container '" + id() + "' is not in the created state");
  }
  STACK_TRY(send_byte(impl_->sync.get(), kMsgStart));
  impl_->sync.reset();
  // End of file: every holder of the write end exec'd (CLOEXEC) or closed it.
  STACK_ASSIGN_OR_RETURN(auto report, read_report(impl_->errors.get()));
  impl_->errors.reset();
  if (report) {
    (void)impl_->process.wait();
    impl_->state = ContainerState::stopped;
    return report->to_error();
  }
  impl_->state = ContainerState::running;
  return util::ok();
}

Result<ExitStatus> Container::wait() {
  STACK_ASSIGN_OR_RETURN(ExitStatus status, impl_->process.wait());
  impl_->state = ContainerState::stopped;
  return status;
}

Result<std::optional<ExitStatus>> Container::try_wait() {
  STACK_ASSIGN_OR_RETURN(auto status, impl_->process.try_wait());
  if (status) impl_->state = ContainerState::stopped;
  return status;
}

Result<void> Container::kill(int sig) { return impl_->process.kill(sig); }

Result<void> Container::remove() {
  if (impl_->state == ContainerState::removed) return util::ok();
  if (!impl_->process.reaped()) {
    (void)impl_->process.kill(SIGKILL);
    STACK_TRY(impl_->process.wait());
  }
  impl_->sync.reset();
  impl_->errors.reset();
  // The overlay is mounted in the container's namespace only; if something mounted the merged
  // dir on the host (a debugging session), detach it so that removal cannot fail on it.
  const auto& merged = impl_->config.rootfs.merged_dir;
  if (!merged.empty()) {
    auto mounted = sys::is_mount_point(merged);
    if (mounted && *mounted) STACK_TRY(sys::umount(merged, MNT_DETACH));
  }
  for (auto it = impl_->made_dirs.rbegin(); it != impl_->made_dirs.rend(); ++it) {
    STACK_TRY(in_context(util::remove_tree(*it), "removing container '" + id() + "'"));
  }
  impl_->made_dirs.clear();
  impl_->state = ContainerState::removed;
  return util::ok();
}

}  // namespace stack::runtime
