#include "runtime/shim_state_watch.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "runtime/shim_runtime.hpp"

namespace stack::runtime {

using util::Error;
using util::Result;
using util::UniqueFd;

namespace {

constexpr uint32_t kStateEvents = IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_ONLYDIR;
constexpr uint32_t kLogEvents = IN_MODIFY | IN_CREATE;

}  // namespace

Result<std::unique_ptr<StateWatch>> ShimStateWatch::open(const StatePaths& paths, WatchOptions options) {
  UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!fd) return Error::from_errno("inotify_init1");
  std::unique_ptr<ShimStateWatch> watch(new ShimStateWatch(paths, options, std::move(fd)));
  if (options.new_containers) {
    watch->containers_wd_ = ::inotify_add_watch(watch->inotify_.get(), paths.containers_dir().c_str(),
                                                IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
    // No containers directory yet: nothing was ever created here; the caller's timeout covers
    // the first one.
    if (watch->containers_wd_ < 0 && errno != ENOENT) {
      return Error::from_errno("watching " + paths.containers_dir());
    }
  }
  return std::unique_ptr<StateWatch>(std::move(watch));
}

Result<void> ShimStateWatch::add(const std::string& id, const shim::ContainerState& seen) {
  auto it = watched_.find(id);
  if (it == watched_.end()) {
    uint32_t mask = kStateEvents | (options_.logs ? kLogEvents : 0);
    int wd = ::inotify_add_watch(inotify_.get(), paths_.container_dir(id).c_str(), mask);
    if (wd < 0) {
      if (errno != ENOENT) return Error::from_errno("watching container '" + id + "'");
      changed_ = true;  // removed since it was read
      return util::ok();
    }
    it = watched_.emplace(id, Watched{}).first;
    it->second.wd = wd;
    ids_[wd] = id;
    changed_ = true;
  }
  Watched& w = it->second;
  if (seen.shim_pid == w.shim_pid) return util::ok();
  w.shim_pid = seen.shim_pid;
  w.pidfd.reset();
  changed_ = true;
  if (seen.shim_pid <= 0 || !seen.shim_alive) return util::ok();
  auto pidfd = util::open_pidfd(seen.shim_pid);
  if (!pidfd) return util::ok();  // exited since it was read: changed_ has it read again
  w.pidfd = std::move(*pidfd);
  // The pid could have been reused between the read and pidfd_open: the pidfd is this shim's
  // only if the shim still lives now.
  if (!shim_alive(seen.shim_pid, id, seen.shim_start_ticks)) w.pidfd.reset();
  return util::ok();
}

void ShimStateWatch::stop() {
  for (const auto& [wd, id] : ids_) (void)::inotify_rm_watch(inotify_.get(), wd);
  if (containers_wd_ >= 0) (void)::inotify_rm_watch(inotify_.get(), containers_wd_);
  containers_wd_ = -1;
  ids_.clear();
  watched_.clear();
  changed_ = false;
}

bool ShimStateWatch::read_events() {
  alignas(inotify_event) char buf[8192];
  bool changed = false;
  for (;;) {
    ssize_t n = ::read(inotify_.get(), buf, sizeof buf);
    if (n <= 0) return changed;  // EAGAIN: drained
    for (char* p = buf; p < buf + n;) {
      auto* e = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + e->len;
      if (e->mask & IN_Q_OVERFLOW) {
        changed = true;
        continue;
      }
      if (e->wd == containers_wd_) {
        changed = true;
        continue;
      }
      auto id = ids_.find(e->wd);
      if (id == ids_.end()) continue;
      if (e->mask & IN_IGNORED) {  // the directory is gone: watched anew should it come back
        watched_.erase(id->second);
        ids_.erase(id);
        changed = true;
        continue;
      }
      std::string_view name = e->len ? std::string_view(e->name) : std::string_view();
      bool state = name == "state.json" && (e->mask & (IN_MOVED_TO | IN_CLOSE_WRITE));
      bool log = options_.logs && (e->mask & kLogEvents) && name.find(".log") != std::string_view::npos;
      if (state || log || (e->mask & IN_DELETE_SELF)) changed = true;
    }
  }
}

Result<bool> ShimStateWatch::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (read_events()) changed_ = true;
    if (changed_) {
      changed_ = false;
      return true;
    }
    std::vector<pollfd> fds{{inotify_.get(), POLLIN, 0}};
    std::vector<Watched*> owners{nullptr};
    for (auto& [id, w] : watched_) {
      if (!w.pidfd) continue;
      fds.push_back({w.pidfd.get(), POLLIN, 0});
      owners.push_back(&w);
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    int n = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (n < 0) {
      if (errno == EINTR) return true;
      return Error::from_errno("poll");
    }
    if (n == 0) return false;
    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      owners[i]->pidfd.reset();  // the shim exited: its state is read again, not its pidfd
      changed_ = true;
    }
  }
}

}  // namespace stack::runtime
