#include "daemon/daemon.hpp"

#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include <spdlog/spdlog.h>

#include "daemon/daemon_record.hpp"
#include "daemon/dir_watch.hpp"
#include "daemon/notify.hpp"
#include "daemon/stacks_dir.hpp"
#include "daemon/status.hpp"
#include "daemon/status_socket.hpp"
#include "daemon/work_queue.hpp"
#include "daemon/workers.hpp"
#include "util/code_pages.hpp"
#include "net/nl/link_events.hpp"

namespace stack::daemon {

namespace {

using std::chrono::milliseconds;

// A process that went away (a shim, a DNS server) or a link deleted: its pass follows shortly, so
// that many at once (a killed group) make one pass.
constexpr milliseconds kEventDelay{100};
// While the first passes run, systemd's start timeout is extended by this much at a time.
constexpr milliseconds kExtendEvery{10000};
constexpr std::chrono::microseconds kExtendBy{30000000};

class Loop {
 public:
  Loop(const DaemonOptions& options, Reconciler& reconciler)
      : options_(options), workers_(options.workers, reconciler) {}

  int run();

 private:
  util::Result<void> setup();
  void rescan();
  void enqueue_all(Clock::time_point now, Clock::duration delay = {});
  void dispatch(Clock::time_point now);
  void handle(const JobResult& r, Clock::time_point now);
  void watch(const std::string& key, const Watched& watched);
  void unwatch(const std::string& key);
  void passed(const std::string& key);
  void save();
  int timeout_ms(Clock::time_point now) const;

  DaemonOptions options_;
  Workers workers_;
  WorkQueue queue_;
  Notifier notifier_;
  util::UniqueFd signals_;
  std::optional<DirWatch> dir_;
  std::optional<net::nl::LinkEvents> links_;
  std::optional<StatusServer> server_;

  DaemonRecord record_;
  std::string boot_id_;
  bool new_boot_ = false;
  std::set<std::string> booted_;  // keys whose boot pass is done
  std::map<std::string, StackSource> sources_;
  DaemonStatus status_;
  std::set<std::string> pending_ready_;  // keys whose pass READY=1 waits for
  bool reloading_ = false;
  std::map<std::string, std::vector<util::UniqueFd>> pidfds_;  // by key
  std::map<std::string, std::string> link_keys_;              // link name -> key
  Clock::time_point next_resync_{};
  Clock::time_point next_watchdog_{};
  Clock::time_point next_extend_{};
  bool stopping_ = false;
};

util::Result<void> Loop::setup() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
  // Already blocked in every thread (run_daemon); read here only, through the signalfd.
  ::signal(SIGPIPE, SIG_IGN);
  signals_ = util::UniqueFd(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!signals_) return util::Error::from_errno("signalfd");
  STACK_ASSIGN_OR_RETURN(DirWatch dir, DirWatch::open(options_.stacks_dir));
  dir_.emplace(std::move(dir));
  STACK_ASSIGN_OR_RETURN(net::nl::LinkEvents links, net::nl::LinkEvents::open());
  links_.emplace(std::move(links));
  STACK_ASSIGN_OR_RETURN(StatusServer server, StatusServer::listen(status_socket_path(options_.root)));
  server_.emplace(std::move(server));
  auto record = load_record(options_.root);
  if (record) record_ = std::move(*record);
  else spdlog::warn("daemon: {} (starting without it)", record.error().message());
  boot_id_ = current_boot_id();
  new_boot_ = record_.boot_id != boot_id_;
  status_.stacks_dir = options_.stacks_dir;
  return util::ok();
}

void Loop::rescan() {
  auto sources = scan_stacks_dir(options_.stacks_dir);
  if (!sources) {
    spdlog::error("daemon: {}", sources.error().message());
    return;  // keep what was known: an unreadable directory tears nothing down
  }
  sources_.clear();
  for (StackSource& s : *sources) sources_[s.key] = std::move(s);
}

void Loop::enqueue_all(Clock::time_point now, Clock::duration delay) {
  for (const auto& [key, source] : sources_) queue_.add(key, now, delay);
  for (const auto& [key, project] : record_.applied) queue_.add(key, now, delay);
}

void Loop::dispatch(Clock::time_point now) {
  bool scanned = false;
  while (!stopping_ && workers_.has_free_worker()) {
    std::optional<std::string> key = queue_.take(now);
    if (!key) return;
    if (!scanned) {
      rescan();
      scanned = true;
    }
    ProjectStatus& st = status_.projects[*key];
    st.key = *key;
    auto source = sources_.find(*key);
    auto applied = record_.applied.find(*key);
    if (source != sources_.end()) {
      st.files = source->second.files;
      st.phase = ProjectPhase::reconciling;
      PassMode mode = new_boot_ && !booted_.count(*key) ? PassMode::boot : PassMode::resync;
      workers_.submit({*key, source->second, "", mode});
    } else if (applied != record_.applied.end()) {
      st.phase = ProjectPhase::removing;
      st.project = applied->second;
      spdlog::info("project={} action=down reason=\"its stack file was removed\"", applied->second);
      workers_.submit({*key, std::nullopt, applied->second, PassMode::resync});
    } else {
      (void)queue_.done(*key, true, now);  // a temporary file, or removed before its pass
      status_.projects.erase(*key);
      passed(*key);
    }
  }
}

void Loop::passed(const std::string& key) {
  pending_ready_.erase(key);
  if (!pending_ready_.empty() || (status_.ready && !reloading_)) return;
  if (!status_.ready) {
    status_.ready = true;
    record_.boot_id = boot_id_;
    save();
    spdlog::info("daemon: ready: {}", summary_line(status_));
  }
  reloading_ = false;
  notifier_.ready(summary_line(status_));
}

void Loop::handle(const JobResult& r, Clock::time_point now) {
  const std::string& key = r.job.key;
  auto wall = std::chrono::system_clock::now();
  if (!r.job.source) {
    if (r.ok) {
      record_.applied.erase(key);
      save();
      status_.projects.erase(key);
      unwatch(key);
      (void)queue_.done(key, true, now);
      spdlog::info("project={} removed", r.job.project);
    } else {
      ProjectStatus& st = status_.projects[key];
      st.phase = ProjectPhase::failing;
      st.last_error = r.error;
      auto retry = queue_.done(key, false, now);
      st.failures = queue_.failures(key);
      if (retry) st.retry_at = wall + std::chrono::duration_cast<std::chrono::system_clock::duration>(*retry - now);
      spdlog::error("project={} down failed: {}", r.job.project, r.error);
    }
    passed(key);
    return;
  }
  ProjectStatus& st = status_.projects[key];
  st.key = key;
  st.last_pass = wall;
  if (r.ok) {
    st.phase = ProjectPhase::converged;
    st.project = r.outcome.project;
    st.running = r.outcome.running;
    st.total = r.outcome.total;
    st.last_error.clear();
    st.failures = 0;
    if (r.job.mode == PassMode::boot) booted_.insert(key);
    if (record_.applied[key] != r.outcome.project) {
      record_.applied[key] = r.outcome.project;
      save();
    }
    watch(key, r.outcome.watched);
    (void)queue_.done(key, true, now);
    spdlog::debug("project={} converged: {}/{} running", st.project, st.running, st.total);
  } else if (r.error_code == util::Errc::invalid_argument) {
    // The file does not load: nothing was changed, the last good model stays applied. Fixing the
    // file (an inotify event) brings the next pass; no backoff retries of a file that did not change.
    st.phase = ProjectPhase::invalid;
    st.last_error = r.error;
    (void)queue_.done(key, true, now);
    spdlog::error("project={} stack file: {}", key, r.error);
  } else {
    st.phase = ProjectPhase::failing;
    st.last_error = r.error;
    auto retry = queue_.done(key, false, now);
    st.failures = queue_.failures(key);
    if (retry) st.retry_at = wall + std::chrono::duration_cast<std::chrono::system_clock::duration>(*retry - now);
    spdlog::error("project={} pass failed ({} in a row): {}", key, st.failures, r.error);
  }
  passed(key);
}

void Loop::watch(const std::string& key, const Watched& watched) {
  unwatch(key);
  std::vector<util::UniqueFd>& fds = pidfds_[key];
  for (pid_t pid : watched.pids) {
    auto fd = util::open_pidfd(pid);
    if (fd) fds.push_back(std::move(*fd));
    else queue_.add(key, Clock::now(), kEventDelay);  // gone already: look again
  }
  for (const std::string& link : watched.links) link_keys_[link] = key;
}

void Loop::unwatch(const std::string& key) {
  pidfds_.erase(key);
  for (auto it = link_keys_.begin(); it != link_keys_.end();) {
    it = it->second == key ? link_keys_.erase(it) : std::next(it);
  }
}

void Loop::save() {
  if (auto saved = save_record(options_.root, record_); !saved) {
    spdlog::error("daemon: saving its record: {}", saved.error().message());
  }
}

int Loop::timeout_ms(Clock::time_point now) const {
  Clock::time_point next = next_resync_;
  if (auto ready = queue_.next_ready(); ready && workers_.has_free_worker()) next = std::min(next, *ready);
  if (notifier_.watchdog_interval()) next = std::min(next, next_watchdog_);
  if (!status_.ready) next = std::min(next, next_extend_);
  if (next <= now) return 0;
  auto ms = std::chrono::duration_cast<milliseconds>(next - now).count() + 1;
  return static_cast<int>(std::min<long long>(ms, 60000));
}

int Loop::run() {
  if (auto ok = setup(); !ok) {
    spdlog::critical("daemon: {}", ok.error().message());
    return 1;
  }
  // systemd waits for READY=1 that could never come: failing now says why.
  if (!notifier_.unavailable().empty()) {
    spdlog::critical("daemon: {}", notifier_.unavailable());
    return 1;
  }
  Clock::time_point now = Clock::now();
  rescan();
  enqueue_all(now);
  for (const auto& [key, s] : sources_) pending_ready_.insert(key);
  for (const auto& [key, p] : record_.applied) pending_ready_.insert(key);
  spdlog::info("daemon: watching {} ({} stacks){}", options_.stacks_dir, sources_.size(),
               new_boot_ ? ", a new boot: every project comes up as `up -d` would" : "");
  if (pending_ready_.empty()) passed("");
  next_resync_ = now + options_.resync;
  if (auto wd = notifier_.watchdog_interval()) next_watchdog_ = now;
  next_extend_ = now + kExtendEvery;

  while (!(stopping_ && workers_.in_flight() == 0)) {
    now = Clock::now();
    dispatch(now);
    std::vector<pollfd> fds = {{signals_.get(), POLLIN, 0}, {dir_->fd(), POLLIN, 0}, {links_->fd(), POLLIN, 0},
                               {server_->fd(), POLLIN, 0}, {workers_.wake_fd(), POLLIN, 0}};
    std::vector<std::string> pid_keys;
    for (const auto& [key, list] : pidfds_) {
      for (const auto& fd : list) {
        fds.push_back({fd.get(), POLLIN, 0});
        pid_keys.push_back(key);
      }
    }
    int n = ::poll(fds.data(), fds.size(), timeout_ms(now));
    if (n < 0 && errno != EINTR) {
      spdlog::critical("daemon: poll: {}", std::strerror(errno));
      return 1;
    }
    now = Clock::now();
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      while (::read(signals_.get(), &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGHUP) {
          spdlog::info("daemon: reloading (SIGHUP)");
          notifier_.reloading();
          rescan();
          enqueue_all(now);
          for (const auto& [key, s] : sources_) pending_ready_.insert(key);
          reloading_ = true;
          if (pending_ready_.empty()) passed("");
        } else if (!stopping_) {
          spdlog::info("daemon: stopping (signal {}); containers keep running", info.ssi_signo);
          notifier_.stopping();
          stopping_ = true;
        }
      }
    }
    if (fds[1].revents & POLLIN) {
      DirWatch::Changes changes = dir_->read();
      if (changes.overflow) {
        rescan();
        enqueue_all(now, options_.debounce);
      }
      for (const std::string& key : changes.keys) queue_.add(key, now, options_.debounce);
    }
    if (fds[2].revents & POLLIN) {
      auto batch = links_->read();
      if (batch.overrun) enqueue_all(now, kEventDelay);
      for (const auto& e : batch.events) {
        auto it = link_keys_.find(e.name);
        if (!e.deleted || it == link_keys_.end()) continue;
        spdlog::info("project={} link {} deleted from outside: reconciling", status_.projects[it->second].project, e.name);
        queue_.add(it->second, now, kEventDelay);
      }
    }
    if (fds[3].revents & POLLIN) server_->answer(to_json(status_));
    if (fds[4].revents & POLLIN) {
      for (const JobResult& r : workers_.finished()) handle(r, now);
      // A pass allocates a few MiB (the model, every container's config) and runs code that the
      // idle loop does not: give both back while the daemon idles until the next one (the code
      // pages stay in the page cache; what the next pass runs faults back in).
      ::malloc_trim(0);
      util::release_code_pages();
    }
    std::set<std::string> died;
    for (size_t i = 5; i < fds.size(); ++i) {
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) died.insert(pid_keys[i - 5]);
    }
    for (const std::string& key : died) {
      pidfds_.erase(key);  // re-armed by the pass
      queue_.add(key, now, kEventDelay);
    }
    if (now >= next_resync_) {
      rescan();
      enqueue_all(now);
      next_resync_ = now + options_.resync;
    }
    if (auto wd = notifier_.watchdog_interval(); wd && now >= next_watchdog_) {
      notifier_.watchdog();
      next_watchdog_ = now + std::chrono::duration_cast<Clock::duration>(*wd) / 2;
    }
    if (!status_.ready && now >= next_extend_) {
      notifier_.extend_timeout(kExtendBy);
      next_extend_ = now + kExtendEvery;
    }
    notifier_.status(summary_line(status_));
  }
  return 0;
}

}  // namespace

int run_daemon(const DaemonOptions& options, Reconciler& reconciler) {
  // Signals blocked before any thread starts, so that every thread inherits the mask and only
  // the main loop's signalfd sees them.
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // One malloc arena for the loop and the workers: a long-lived process with passes on other
  // threads otherwise keeps a partly used arena per thread (RSS that an idle daemon never needs).
  ::mallopt(M_ARENA_MAX, 1);
  Loop loop(options, reconciler);
  return loop.run();
}

}  // namespace stack::daemon
