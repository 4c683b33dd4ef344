#include "runtime/shim_runtime.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <map>
#include <mutex>

#include "runtime/cgroup/factory.hpp"
#include "runtime/container_dir.hpp"
#include "runtime/container/cgroup_hook.hpp"
#include "runtime/container/exec.hpp"
#include "runtime/shim/control.hpp"
#include "runtime/shim/json_log.hpp"
#include "runtime/shim_state_watch.hpp"
#include "runtime/sys/file.hpp"
#include "runtime/sys/mount.hpp"
#include "runtime/sys/procfs.hpp"
#include "util/detached.hpp"
#include "util/dir.hpp"
#include "util/top_directory.hpp"

namespace stack::runtime {

using shim::Status;
using util::Errc;
using util::Error;
using util::UniqueFd;

namespace {

// How long stop() waits beyond the grace period for the shim to write the final state and exit.
constexpr auto kStopMargin = std::chrono::seconds(30);
// From a shim's final state to its exit: a cgroup removal and an unlink.
constexpr auto kFinishMargin = std::chrono::seconds(5);

// Reads the ready pipe to end of file, bounded by limit.
Result<void> wait_ready(int fd, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  char buf[64];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Error(Errc::timeout, "the shim did not start the container in time");
    STACK_ASSIGN_OR_RETURN(bool readable, util::wait_readable(fd, static_cast<int>(left.count())));
    if (!readable) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) return util::ok();
    if (n < 0 && errno != EINTR) return Error::from_errno("read the shim's ready pipe");
  }
}

}  // namespace

Result<UniqueFd> launch_shim(const std::string& binary, const std::string& root,
                             const std::string& id) {
  STACK_ASSIGN_OR_RETURN(util::Pipe ready, util::Pipe::make(O_CLOEXEC));
  auto spawned = util::spawn_detached({binary, "--root", root, "shim", "--id", id, "--ready-fd", "3"},
                                      ready.write.get());
  if (!spawned) return Error(Errc::internal, "starting the shim for '" + id + "' failed");
  return std::move(ready.read);
}

bool shim_alive(pid_t pid, const std::string& id, std::uint64_t start_ticks) {
  if (pid <= 0) return false;
  auto stat = sys::read_proc_stat(pid);
  if (!stat || stat->state == 'Z' || stat->state == 'X') return false;
  if (start_ticks != 0) return stat->start_ticks == start_ticks;
  auto cmdline = util::read_file("/proc/" + std::to_string(pid) + "/cmdline");
  if (!cmdline) return false;
  return cmdline->find(std::string("\0shim\0", 6)) != std::string::npos &&
         cmdline->find(std::string("\0--id\0", 6) + id + std::string(1, '\0')) != std::string::npos;
}

std::string find_shim_binary(const std::string& stack_binary) {
  return util::helper_binary(stack_binary, "stack-shim");
}

ShimRuntime::ShimRuntime(ShimRuntimeOptions options)
    : options_(std::move(options)), paths_(options_.root) {
  if (options_.shim_binary.empty()) options_.shim_binary = find_shim_binary(options_.binary);
}

// A container's config.json is written once, when it is made (a recreated container's is a new
// file): a long-lived process, the daemon, whose every pass reads every container's config, keeps
// what it decoded, by path, checked against the file's inode, size and modification time.
Result<shim::ShimConfig> ShimRuntime::read_config(const std::string& id) const {
  struct Decoded {
    ino_t inode = 0;
    off_t size = 0;
    timespec modified{};
    shim::ShimConfig config;
  };
  static std::mutex mu;
  static std::map<std::string, Decoded> decoded;
  const std::string path = paths_.config_file(id);
  struct stat st {};
  const bool known = ::stat(path.c_str(), &st) == 0;
  if (known) {
    std::lock_guard lock(mu);
    auto it = decoded.find(path);
    if (it != decoded.end() && it->second.inode == st.st_ino && it->second.size == st.st_size &&
        it->second.modified.tv_sec == st.st_mtim.tv_sec && it->second.modified.tv_nsec == st.st_mtim.tv_nsec) {
      return it->second.config;
    }
  }
  STACK_ASSIGN_OR_RETURN(std::string text, util::read_file(path));
  STACK_ASSIGN_OR_RETURN(shim::ShimConfig config, shim::decode_shim_config(text));
  if (known) {
    std::lock_guard lock(mu);
    if (decoded.size() >= 4096) decoded.clear();  // containers long gone: start over
    decoded[path] = {st.st_ino, st.st_size, st.st_mtim, config};
  }
  return config;
}

Result<shim::ContainerState> ShimRuntime::observe(const std::string& id) const {
  auto state = shim::read_state(paths_.state_file(id));
  if (!state && state.error().code() != Errc::not_found) return std::move(state).error();
  shim::ContainerState s = state ? *state : shim::ContainerState{};
  s.shim_alive = shim_alive(s.shim_pid, id, s.shim_start_ticks);
  return s;
}

Result<void> ShimRuntime::create(const std::string& id, const shim::ShimConfig& config) {
  STACK_TRY(check_container_id(id));
  std::string dir = paths_.container_dir(id);
  if (sys::path_kind(dir) != sys::PathKind::missing) {
    // A directory with no config.json is what an older stack killed in mid-create or mid-remove
    // left; no one can read it, so it is not a container.
    if (sys::path_kind(paths_.config_file(id)) != sys::PathKind::missing) {
      return Error(Errc::already_exists, "container '" + id + "' already exists");
    }
    STACK_TRY(retire_container_dir(paths_, id).context("container '" + id + "'"));
  }
  STACK_TRY(sys::mkdir_p(paths_.containers_dir(), 0711));
  util::mark_top_directory(paths_.containers_dir());  // each container's files in a group of their own
  STACK_TRY(sys::mkdir_p(paths_.run_dir(), 0700));
  shim::ShimConfig c = config;
  c.container.id = id;
  RootfsConfig& r = c.container.rootfs;
  if (!r.lower_layers.empty()) {
    if (r.upper_dir.empty() && r.work_dir.empty()) {
      r.upper_dir = paths_.upper_dir(id);
      r.work_dir = paths_.work_dir(id);
    }
    if (r.merged_dir.empty()) r.merged_dir = paths_.rootfs_dir(id);
  }
  STACK_ASSIGN_OR_RETURN(StagedContainerDir staged, StagedContainerDir::make(paths_, id));
  STACK_TRY(write_file_atomic(staged.path() + "/config.json", shim::encode_shim_config(c), util::Durability::process_crash)
                .context("container '" + id + "'"));
  if (auto published = staged.publish(); !published) {
    if (published.error().code() == Errc::already_exists) {
      return Error(Errc::already_exists, "container '" + id + "' already exists");
    }
    return std::move(published).error().context("container '" + id + "'");
  }
  auto started = launch_and_wait(id);
  if (!started) (void)remove(id);
  return started;
}

Result<void> ShimRuntime::launch_and_wait(const std::string& id) {
  auto launched = launch_shim(options_.shim_binary, paths_.root(), id);
  if (!launched) return std::move(launched).error().context("container '" + id + "'");
  // End of file on the ready pipe: the shim started the container or gave up.
  auto ready = wait_ready(launched->get(), options_.start_timeout);
  shim::ContainerState s = observe(id).value_or(shim::ContainerState{});
  if (!ready) return std::move(ready).error();
  if (!s.error.empty()) return Error(s.error_code, s.error).with_subject(s.error_subject);
  if (s.shim_pid == 0) return Error(Errc::io, "the shim exited before it reported a state");
  return util::ok();
}

Result<void> ShimRuntime::start(const std::string& id) {
  STACK_ASSIGN_OR_RETURN(std::optional<shim::ContainerState> s, state(id));
  if (!s) return Error(Errc::not_found, "no such container '" + id + "'");
  if (s->shim_alive) return util::ok();
  // The last run's state (and its error) must not be read as this run's.
  (void)::unlink(paths_.state_file(id).c_str());
  return launch_and_wait(id);
}

Result<std::optional<shim::ContainerState>> ShimRuntime::state(const std::string& id) {
  STACK_TRY(check_container_id(id));
  if (sys::path_kind(paths_.container_dir(id)) == sys::PathKind::missing) {
    return std::optional<shim::ContainerState>();
  }
  STACK_ASSIGN_OR_RETURN(shim::ContainerState s, observe(id));
  if (!shim::is_final(s.status) && !s.shim_alive && s.shim_pid != 0) {
    STACK_ASSIGN_OR_RETURN(s, recover(id));
  }
  return std::optional<shim::ContainerState>(s);
}

Result<shim::ContainerState> ShimRuntime::recover(const std::string& id) {
  STACK_TRY(check_container_id(id));
  STACK_ASSIGN_OR_RETURN(shim::ContainerState s, observe(id));
  if (s.shim_alive || shim::is_final(s.status)) return s;
  STACK_ASSIGN_OR_RETURN(shim::ShimConfig config, read_config(id));
  STACK_ASSIGN_OR_RETURN(auto cgroup, cgroup::open_cgroup(config.cgroup_path));
  // No supervisor is left to log, restart or reap: end the container through its cgroup.
  STACK_TRY(cgroup->destroy().context("recovering container '" + id + "'"));
  const std::string& merged = config.container.rootfs.merged_dir;
  if (!merged.empty()) {
    auto mounted = sys::is_mount_point(merged);
    if (mounted && *mounted) STACK_TRY(sys::umount(merged, MNT_DETACH));
  }
  ::unlink(paths_.socket_file(id).c_str());
  if (!shim::is_final(s.status)) {
    s.error = "shim (pid " + std::to_string(s.shim_pid) + ") died; container killed";
    s.status = Status::exited;
    s.shim_died = true;
    if (s.pid != 0) {
      s.exit_code = 137;
      s.signal = SIGKILL;
    }
    s.pid = 0;
    s.finished_at = shim::now_rfc3339_nano();
    STACK_TRY(shim::write_state(paths_.state_file(id), s));
  }
  return s;
}

Result<void> ShimRuntime::wait_for_shim_exit(pid_t shim_pid, std::chrono::nanoseconds limit) const {
  auto pidfd = util::open_pidfd(shim_pid);
  if (!pidfd) return util::ok();  // already gone
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(limit).count();
  STACK_ASSIGN_OR_RETURN(bool exited, util::wait_readable(pidfd->get(), static_cast<int>(ms)));
  if (!exited) return Error(Errc::timeout, "the shim (pid " + std::to_string(shim_pid) + ") did not exit");
  return util::ok();
}

Result<void> ShimRuntime::stop(const std::string& id, std::optional<std::chrono::nanoseconds> timeout) {
  STACK_ASSIGN_OR_RETURN(std::optional<shim::ContainerState> s, state(id));
  if (!s) return Error(Errc::not_found, "no such container '" + id + "'");
  if (!s->shim_alive) return util::ok();
  // A shim that has written the final state is still removing the cgroup and its socket: let it
  // finish rather than race it (two removals of one memory cgroup at once stalled both ~100 ms).
  // One that does not end within the margin is left to the caller's clean-up, as before.
  if (shim::is_final(s->status)) {
    (void)wait_for_shim_exit(s->shim_pid, kFinishMargin);
    return util::ok();
  }
  STACK_ASSIGN_OR_RETURN(shim::ShimConfig config, read_config(id));
  shim::ControlRequest request{shim::ControlOp::stop, std::nullopt, 0};
  if (timeout) request.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout);
  auto sent = shim::call_shim(paths_.socket_file(id), request);
  if (!sent && sent.error().code() != Errc::not_found) {
    return std::move(sent).error().context("stopping container '" + id + "'");
  }
  auto grace = timeout.value_or(config.stop_grace_period);
  STACK_TRY(wait_for_shim_exit(s->shim_pid, grace + kStopMargin).context("stopping container '" + id + "'"));
  // A shim that died instead of finishing leaves the clean-up to recover().
  STACK_TRY(recover(id));
  return util::ok();
}

Result<std::unique_ptr<StateWatch>> ShimRuntime::watch(WatchOptions options) {
  return ShimStateWatch::open(paths_, options);
}

Result<void> ShimRuntime::kill(const std::string& id, int signal) {
  STACK_TRY(check_container_id(id));
  shim::ControlRequest request{shim::ControlOp::kill, std::nullopt, signal};
  auto sent = shim::call_shim(paths_.socket_file(id), request);
  if (!sent) return std::move(sent).error().context("killing container '" + id + "'");
  return util::ok();
}

Result<bool> ShimRuntime::remove(const std::string& id) {
  STACK_TRY(check_container_id(id));
  std::string dir = paths_.container_dir(id);
  if (sys::path_kind(dir) == sys::PathKind::missing) return false;
  auto config = read_config(id);
  // Whatever escaped (a process that left PID 1's tree is still in the cgroup) ends here.
  auto destroy_cgroup = [&]() -> Result<void> {
    if (!config) return util::ok();
    auto cgroup = cgroup::open_cgroup(config->cgroup_path);
    if (cgroup) STACK_TRY((*cgroup)->destroy().context("removing container '" + id + "'"));
    return util::ok();
  };
  STACK_ASSIGN_OR_RETURN(std::optional<shim::ContainerState> s, state(id));
  if (s && s->shim_alive && shim::is_final(s->status)) {
    // The shim has written the end and is removing the cgroup (its memory cgroup's reclaim takes
    // a millisecond or more): the directory goes meanwhile, and the cgroup is looked at once the
    // shim is gone, never removed by both at once (stop() says why).
    ::unlink(paths_.socket_file(id).c_str());
    STACK_TRY(retire_container_dir(paths_, id).context("removing container '" + id + "'"));
    (void)wait_for_shim_exit(s->shim_pid, kFinishMargin);
    STACK_TRY(destroy_cgroup());
    return true;
  }
  STACK_TRY(stop(id, std::nullopt));
  STACK_TRY(destroy_cgroup());
  ::unlink(paths_.socket_file(id).c_str());
  return retire_container_dir(paths_, id).context("removing container '" + id + "'");
}

Result<std::vector<std::string>> ShimRuntime::list() {
  sweep_abandoned_container_dirs(paths_);
  std::vector<std::string> ids;
  auto dir = util::DirStream::open(paths_.containers_dir());
  if (!dir && dir.error().code() == util::Errc::not_found) return ids;
  if (!dir) return std::move(dir).error();
  while (const dirent* e = dir->next()) {
    std::string name = e->d_name;
    if (e->d_type == DT_DIR && check_container_id(name)) ids.push_back(name);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

struct ShimRuntime::Supervised {
  shim::ContainerState state;
  shim::ShimConfig config;
  std::unique_ptr<cgroup::Manager> cgroup;
};

Result<ShimRuntime::Supervised> ShimRuntime::supervised(const std::string& id) {
  STACK_ASSIGN_OR_RETURN(std::optional<shim::ContainerState> s, state(id));
  if (!s) return Error(Errc::not_found, "no such container '" + id + "'");
  if (shim::is_final(s->status) || !s->shim_alive) {
    return Error(Errc::conflict, "container '" + id + "' is not running");
  }
  STACK_ASSIGN_OR_RETURN(shim::ShimConfig config, read_config(id));
  STACK_ASSIGN_OR_RETURN(auto cgroup, cgroup::open_cgroup(config.cgroup_path));
  return Supervised{std::move(*s), std::move(config), std::move(cgroup)};
}

Result<pid_t> ShimRuntime::exec_target(const std::string& id, const Supervised& c) const {
  if (c.state.status != Status::running || c.state.pid == 0) {
    return Error(Errc::conflict, "container '" + id + "' is not running");
  }
  return c.state.pid;
}

Result<int> ShimRuntime::exec(const std::string& id, const ExecConfig& config) {
  STACK_ASSIGN_OR_RETURN(Supervised c, supervised(id));
  STACK_ASSIGN_OR_RETURN(pid_t pid, exec_target(id, c));
  CgroupEntry entry = cgroup_entry(*c.cgroup);
  STACK_ASSIGN_OR_RETURN(Process process, exec_in(pid, config,
                                                  {.join_cgroup = join_cgroup_hook(*c.cgroup),
                                                   .cgroup_tasks = entry.task_fds()}));
  STACK_ASSIGN_OR_RETURN(util::ExitStatus status, process.wait());
  return status.signal != 0 ? 128 + status.signal : status.code;
}

Result<TerminalProcess> ShimRuntime::exec_terminal(const std::string& id, const ExecConfig& config) {
  STACK_ASSIGN_OR_RETURN(Supervised c, supervised(id));
  STACK_ASSIGN_OR_RETURN(pid_t pid, exec_target(id, c));
  CgroupEntry entry = cgroup_entry(*c.cgroup);
  return exec_in_terminal(pid, config,
                          {.join_cgroup = join_cgroup_hook(*c.cgroup), .cgroup_tasks = entry.task_fds()});
}

Result<ContainerStats> ShimRuntime::stats(const std::string& id) {
  STACK_ASSIGN_OR_RETURN(Supervised c, supervised(id));
  std::optional<pid_t> net_pid;
  if (c.state.pid != 0 && c.config.container.network.mode != NetworkMode::host) net_pid = c.state.pid;
  return collect_stats(*c.cgroup, net_pid).context("stats of container '" + id + "'");
}

Result<std::vector<ProcessInfo>> ShimRuntime::top(const std::string& id) {
  STACK_ASSIGN_OR_RETURN(Supervised c, supervised(id));
  return list_processes(*c.cgroup).context("processes of container '" + id + "'");
}

}  // namespace stack::runtime
