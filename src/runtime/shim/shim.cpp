#include "runtime/shim/shim.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <memory>
#include <optional>
#include <vector>

#include "runtime/cgroup/factory.hpp"
#include "runtime/container/cgroup_hook.hpp"
#include "runtime/container/container.hpp"
#include "runtime/container/device_access.hpp"
#include "runtime/shim/container_state.hpp"
#include "runtime/shim/control.hpp"
#include "runtime/shim/health.hpp"
#include "runtime/shim/log_pump.hpp"
#include "runtime/shim/port_proxy_child.hpp"
#include "runtime/shim/restart_policy.hpp"
#include "runtime/state_paths.hpp"
#include "util/code_pages.hpp"
#include "runtime/sys/file.hpp"
#include "runtime/sys/procfs.hpp"

namespace stack::runtime::shim {
namespace {

using Clock = std::chrono::steady_clock;
using util::Errc;
using util::Error;
using util::UniqueFd;

// A port proxy child that died on its own is started again after this long.
constexpr auto kProxyRestartDelay = std::chrono::seconds(1);

// Setup's heap and code pages are handed back this long after the first start: not during it,
// when every core is busy starting the rest of a stack (each madvise flushes TLBs).
constexpr auto kTrimDelay = std::chrono::seconds(1);

// Output still in the pipes when PID 1 is gone is read for at most this long.
constexpr int kDrainTimeoutMs = 2000;

std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

// docker's codes for a command that could not be run: 127 not found, 126 not executable.
int exit_code_of_error(const Error& e) {
  if (e.sys_errno() == ENOENT) return 127;
  if (e.sys_errno() == EACCES || e.sys_errno() == ENOEXEC) return 126;
  return 128;
}

int poll_ms(Clock::time_point now, Clock::time_point deadline) {
  if (deadline <= now) return 0;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
  return static_cast<int>(std::min<long>(ms, 60'000));
}

int g_signal_pipe = -1;

void on_stop_signal(int) {
  int saved = errno;
  char byte = 1;
  (void)!::write(g_signal_pipe, &byte, 1);
  errno = saved;
}

// SIGTERM and SIGINT of the shim mean "stop". A self-pipe rather than a signalfd: a signalfd needs
// the signals blocked, and a blocked mask is inherited by the container through clone and exec.
Result<UniqueFd> catch_stop_signals() {
  STACK_ASSIGN_OR_RETURN(util::Pipe pipe, util::Pipe::make(O_CLOEXEC | O_NONBLOCK));
  g_signal_pipe = pipe.write.release();
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  if (::sigaction(SIGTERM, &sa, nullptr) != 0 || ::sigaction(SIGINT, &sa, nullptr) != 0) {
    return Error::from_errno("sigaction");
  }
  return std::move(pipe.read);
}

struct Client {
  UniqueFd fd;
  std::string buffer;
};

class Shim {
 public:
  explicit Shim(const ShimOptions& o)
      : paths_(o.root), id_(o.id), ready_(o.ready_fd), tracker_(RestartPolicy{}) {}
  int run();

 private:
  Result<void> set_up();
  Result<void> start_container();
  Result<void> resolve_namespace_joins(ContainerConfig& c) const;
  Result<void> start_proxy();
  void proxy_exited();
  void container_exited();
  void act_on_health();
  void finish(Status status);
  void request_stop(std::optional<Nanos> timeout);
  void accept_clients();
  bool serve(Client& client);
  void on_deadlines(Clock::time_point now);
  int poll_timeout(Clock::time_point now) const;
  void save();
  void set_error(const util::Error& error);  // the state's one-line error and its kind
  void loop_once();

  StatePaths paths_;
  std::string id_;
  UniqueFd ready_;
  ShimConfig config_;
  ContainerState state_;
  RestartTracker tracker_;
  std::unique_ptr<cgroup::Manager> cgroup_;
  std::optional<LogPump> logs_;
  std::optional<Container> container_;
  std::optional<HealthMonitor> health_;
  std::vector<net::proxy::BoundPort> ports_;  // bound once, for the shim's life
  util::ChildProcess proxy_;  // serves ports_; killed and reaped by finish()
  UniqueFd proxy_pidfd_;
  std::optional<Clock::time_point> proxy_restart_at_;  // the proxy died on its own
  UniqueFd pidfd_;
  UniqueFd stdin_hold_;  // stdin_open: the pipe's write end, open (and silent) while the container runs
  UniqueFd listen_;
  UniqueFd signals_;
  std::vector<Client> clients_;
  std::uint64_t oom_before_ = 0;
  bool stop_requested_ = false;
  bool health_acted_ = false;       // this run's unhealthy action is taken (once per run)
  bool restart_unhealthy_ = false;  // x-health-on-failure: restart, whatever the policy
  int health_restarts_ = 0;
  bool done_ = false;
  std::optional<Clock::time_point> kill_at_;
  std::optional<Clock::time_point> restart_at_;
  std::optional<Clock::time_point> trim_at_;
};

void Shim::set_error(const util::Error& error) {
  state_.error = one_line(error.message());
  state_.error_code = error.code();
  state_.error_subject = error.subject();
}

void Shim::save() {
  if (health_) state_.health = health_->health();
  // Nobody could read a state that cannot be written; the shim goes on supervising regardless.
  (void)write_state(paths_.state_file(id_), state_);
}

Result<void> Shim::set_up() {
  STACK_ASSIGN_OR_RETURN(std::string text, util::read_file(paths_.config_file(id_)));
  STACK_ASSIGN_OR_RETURN(config_, decode_shim_config(text));
  config_.container.id = id_;
  tracker_ = RestartTracker(config_.restart);
  STACK_ASSIGN_OR_RETURN(LogFile file, LogFile::open(paths_.log_file(id_), config_.log));
  logs_.emplace(std::move(file));
  STACK_TRY(sys::mkdir_p(paths_.run_dir(), 0700));
  STACK_ASSIGN_OR_RETURN(listen_, listen_control(paths_.socket_file(id_)));
  STACK_ASSIGN_OR_RETURN(signals_, catch_stop_signals());
  // The overlay dirs exist before create(), so the container does not remove them between runs:
  // the writable layer survives a restart, as docker's does.
  const RootfsConfig& r = config_.container.rootfs;
  for (const std::string* dir : {&r.upper_dir, &r.work_dir, &r.merged_dir}) {
    if (!dir->empty() && !r.lower_layers.empty()) STACK_TRY(sys::mkdir_p(*dir, 0755));
  }
  STACK_ASSIGN_OR_RETURN(cgroup_, cgroup::open_cgroup(config_.cgroup_path));
  cgroup::Limits limits = config_.limits;
  STACK_ASSIGN_OR_RETURN(limits.devices, allowed_devices(config_.container));
  STACK_TRY(cgroup_->create(limits));  // its errors name the cgroup
  // Ports are bound before the first start, so that a port in use is the create error and the
  // container never runs unreachable; the target address is fixed (a persistent netns).
  STACK_ASSIGN_OR_RETURN(ports_, net::proxy::bind_ports(config_.ports));
  for (const auto& port : ports_) state_.ports.push_back(port.forward);
  STACK_TRY(start_proxy());
  return util::ok();
}

Result<void> Shim::start_proxy() {
  STACK_ASSIGN_OR_RETURN(proxy_, start_port_proxy(ports_));
  if (!proxy_.valid()) return util::ok();
  STACK_ASSIGN_OR_RETURN(proxy_pidfd_, util::open_pidfd(proxy_.pid()));
  return util::ok();
}

// The proxy child ended although the shim did not ask: reap it and start another in a second on
// the same sockets (the kernel queues connections meanwhile; the container keeps running).
void Shim::proxy_exited() {
  (void)proxy_.try_wait();
  proxy_pidfd_.reset();
  proxy_restart_at_ = Clock::now() + kProxyRestartDelay;
}

// ipc/pid/uts of another container: the namespace of its process now (it may have restarted since
// this container was made). A target that is not running is the start error, as in docker.
Result<void> Shim::resolve_namespace_joins(ContainerConfig& c) const {
  for (auto [kind, share] : {std::pair{"ipc", &c.ipc}, std::pair{"pid", &c.pid}, std::pair{"uts", &c.uts}}) {
    if (share->mode != ShareMode::join || share->container.empty()) continue;
    auto state = read_state(paths_.state_file(share->container));
    if (!state || state->status != Status::running || state->pid <= 0) {
      return Error(Errc::conflict, std::string(kind) + ": container '" + share->container + "' is not running");
    }
    share->join_path = "/proc/" + std::to_string(state->pid) + "/ns/" + kind;
  }
  return util::ok();
}

Result<void> Shim::start_container() {
  STACK_ASSIGN_OR_RETURN(auto ends, logs_->open_pipes());
  ContainerConfig c = config_.container;
  STACK_TRY(resolve_namespace_joins(c));
  c.stdout_fd = ends.first.get();
  c.stderr_fd = ends.second.get();
  std::optional<util::Pipe> in;
  if (config_.stdin_open && !c.tty) {
    STACK_ASSIGN_OR_RETURN(in, util::Pipe::make(O_CLOEXEC));
    c.stdin_fd = in->read.get();
  }
  auto stats = cgroup_->stats();
  oom_before_ = stats ? stats->oom_kill_count : 0;
  CgroupEntry entry = cgroup_entry(*cgroup_);
  STACK_ASSIGN_OR_RETURN(Container container,
                         Container::create(c, {.join_cgroup = join_cgroup_hook(*cgroup_),
                                               .clone_into_cgroup = entry.clone_target.get(),
                                               .cgroup_tasks = entry.task_fds()}));
  ends = {};  // the container holds its own copies: end of file comes when it is gone
  if (c.tty) logs_->use_terminal(container.take_terminal());
  if (in) stdin_hold_ = std::move(in->write);
  STACK_TRY(container.start());
  STACK_ASSIGN_OR_RETURN(pidfd_, util::open_pidfd(container.pid()));
  tracker_.started(Clock::now());
  state_.status = Status::running;
  state_.pid = container.pid();
  state_.started_at = now_rfc3339_nano();
  state_.finished_at.clear();
  state_.exit_code = 0;
  state_.signal = 0;
  state_.oom_killed = false;
  container_.emplace(std::move(container));
  if (config_.healthcheck) {
    health_.emplace(*config_.healthcheck, config_.container, state_.pid, Clock::now());
  }
  health_acted_ = false;
  save();
  return util::ok();
}

// The health check made the container unhealthy: what x-health-on-failure says, once per run.
void Shim::act_on_health() {
  if (!health_ || !container_ || health_acted_ || !config_.healthcheck) return;
  if (health_->health().status != HealthStatus::unhealthy) return;
  const HealthAction action = config_.healthcheck->on_failure;
  if (action == HealthAction::none) return;
  health_acted_ = true;
  switch (action) {
    case HealthAction::kill:
      (void)container_->kill(SIGKILL);  // then its restart policy, as for any death
      break;
    case HealthAction::restart:
      restart_unhealthy_ = true;
      (void)container_->kill(config_.stop_signal);
      kill_at_ = Clock::now() + config_.stop_grace_period;
      break;
    case HealthAction::stop:
      request_stop(std::nullopt);
      break;
    case HealthAction::none:
      break;
  }
}

// PID 1 ended: log the rest, record how, then restart or finish.
void Shim::container_exited() {
  auto status = container_->try_wait();
  if (status && !*status) return;  // not yet (a spurious wake-up)
  ExitStatus how = status ? **status : ExitStatus{255, 0};
  (void)logs_->drain(kDrainTimeoutMs);
  if (health_) health_->abandon();
  (void)container_->remove();
  container_.reset();
  pidfd_.reset();
  stdin_hold_.reset();
  kill_at_.reset();
  auto stats = cgroup_->stats();
  bool oom = stats && stats->missing.empty() ? stats->oom_kill_count > oom_before_
                                              : cgroup_->oom_killed().value_or(false);
  state_.pid = 0;
  state_.finished_at = now_rfc3339_nano();
  state_.signal = how.signal;
  state_.exit_code = how.signal != 0 ? 128 + how.signal : how.code;
  state_.oom_killed = oom;
  if (oom && how.signal == SIGKILL) state_.exit_code = 137;
  RestartDecision d = tracker_.exited(Clock::now(), state_.exit_code, stop_requested_);
  if (restart_unhealthy_ && !stop_requested_) d = {true, Nanos(0)};
  if (restart_unhealthy_) ++health_restarts_;
  restart_unhealthy_ = false;
  if (!d.restart) {
    finish(stop_requested_ ? Status::stopped : Status::exited);
    return;
  }
  state_.status = Status::restarting;
  state_.restart_count = tracker_.restart_count() + health_restarts_;
  restart_at_ = Clock::now() + d.delay;
  save();
}

void Shim::finish(Status status) {
  state_.status = status;
  state_.pid = 0;
  if (state_.finished_at.empty()) state_.finished_at = now_rfc3339_nano();
  save();
  if (cgroup_) {
    auto destroyed = cgroup_->destroy();
    if (!destroyed) {
      set_error(destroyed.error());
      save();
    }
  }
  ::unlink(paths_.socket_file(id_).c_str());
  proxy_ = util::ChildProcess();  // kills and reaps the port proxy
  ports_.clear();
  proxy_pidfd_.reset();
  proxy_restart_at_.reset();
  ready_.reset();
  done_ = true;
}

void Shim::request_stop(std::optional<Nanos> timeout) {
  stop_requested_ = true;
  if (!container_) {  // between runs (restarting): simply stay down
    restart_at_.reset();
    finish(Status::stopped);
    return;
  }
  Nanos grace = timeout.value_or(config_.stop_grace_period);
  if (grace <= Nanos(0)) {
    (void)container_->kill(SIGKILL);
    return;
  }
  (void)container_->kill(config_.stop_signal);
  kill_at_ = Clock::now() + grace;
}

void Shim::accept_clients() {
  for (;;) {
    int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    if (clients_.size() >= 16) {  // a misbehaving caller must not exhaust the shim's descriptors
      ::close(fd);
      continue;
    }
    clients_.push_back({UniqueFd(fd), {}});
  }
}

// Reads from one client; answers once a whole line is in. False when the connection is done.
bool Shim::serve(Client& client) {
  char buf[1024];
  ssize_t n = ::read(client.fd.get(), buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
  if (n <= 0) return false;
  client.buffer.append(buf, static_cast<std::size_t>(n));
  std::size_t nl = client.buffer.find('\n');
  if (nl == std::string::npos) return client.buffer.size() < 4096;
  auto request = parse_request(client.buffer.substr(0, nl));
  std::string reply;
  if (!request) {
    reply = encode_reply(request.error());
  } else if (request->op == ControlOp::status) {
    if (health_) state_.health = health_->health();
    reply = encode_reply(util::ok(), encode_state(state_));
  } else if (request->op == ControlOp::kill) {
    util::Result<void> r = container_ ? container_->kill(request->signal)
                                      : Error(Errc::conflict, "container '" + id_ + "' is not running");
    reply = encode_reply(r);
  } else {
    reply = encode_reply(util::ok());
  }
  (void)util::send_all(client.fd.get(), reply);
  if (request && request->op == ControlOp::stop) request_stop(request->timeout);
  return false;
}

void Shim::on_deadlines(Clock::time_point now) {
  if (proxy_restart_at_ && *proxy_restart_at_ <= now) {
    proxy_restart_at_.reset();
    if (!start_proxy()) proxy_restart_at_ = now + kProxyRestartDelay;
  }
  if (kill_at_ && *kill_at_ <= now && container_) {
    (void)container_->kill(SIGKILL);
    kill_at_.reset();
  }
  if (restart_at_ && *restart_at_ <= now) {
    restart_at_.reset();
    auto started = start_container();
    if (!started) {
      set_error(started.error());
      state_.exit_code = exit_code_of_error(started.error());
      container_.reset();
      finish(Status::exited);
    }
  }
  if (trim_at_ && *trim_at_ <= now) {
    trim_at_.reset();
    // Setup allocated (config, JSON) and ran code the loop never runs again; hand both back so
    // that the resident size is the loop's own.
    ::malloc_trim(0);
    util::release_code_pages();
  }
  if (health_ && container_ && health_->due(now)) {
    health_->tick(now, cgroup_.get());
    save();
    act_on_health();
  }
}

int Shim::poll_timeout(Clock::time_point now) const {
  int timeout = -1;
  auto consider = [&](std::optional<Clock::time_point> t) {
    if (!t) return;
    int ms = poll_ms(now, *t);
    timeout = timeout < 0 ? ms : std::min(timeout, ms);
  };
  consider(kill_at_);
  consider(restart_at_);
  consider(proxy_restart_at_);
  consider(trim_at_);
  if (health_ && container_) consider(health_->next_deadline());
  return timeout;
}

void Shim::loop_once() {
  // Fixed slots first, then one per client: 0 listen, 1 signals, 2 stdout, 3 stderr, 4 PID 1,
  // 5 the health probe, 6 the port proxy child.
  std::vector<pollfd> fds = {{listen_.get(), POLLIN, 0},
                             {signals_.get(), POLLIN, 0},
                             {logs_->fd(Stream::out), POLLIN, 0},
                             {logs_->fd(Stream::err), POLLIN, 0},
                             {pidfd_.get(), POLLIN, 0},
                             {health_ ? health_->fd() : -1, POLLIN, 0},
                             {proxy_pidfd_.get(), POLLIN, 0}};
  for (const Client& c : clients_) fds.push_back({c.fd.get(), POLLIN, 0});
  int n = ::poll(fds.data(), fds.size(), poll_timeout(Clock::now()));
  if (n < 0 && errno != EINTR) return;
  if (n > 0) {
    if (fds[2].revents != 0) (void)logs_->pump(Stream::out);
    if (fds[3].revents != 0) (void)logs_->pump(Stream::err);
    if (fds[5].revents != 0 && health_) {
      health_->probe_ready(Clock::now());
      save();
      act_on_health();
    }
    if (fds[4].revents != 0 && container_) container_exited();
    if (fds[6].revents != 0 && proxy_pidfd_ && !done_) proxy_exited();
    if (fds[1].revents != 0) {
      char drain[64];
      while (::read(signals_.get(), drain, sizeof drain) > 0) {}
      if (!stop_requested_ && !done_) request_stop(std::nullopt);
    }
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      if (fds[7 + i].revents != 0 && !done_ && !serve(clients_[i])) clients_[i].fd.reset();
    }
    std::erase_if(clients_, [](const Client& c) { return !c.fd; });
    if (fds[0].revents != 0) accept_clients();
  }
  if (!done_) on_deadlines(Clock::now());
}

int Shim::run() {
  if (ready_) ::fcntl(ready_.get(), F_SETFD, FD_CLOEXEC);
  state_.shim_pid = ::getpid();
  if (auto self = sys::read_proc_stat(state_.shim_pid)) state_.shim_start_ticks = self->start_ticks;
  if (auto id_ok = check_container_id(id_); !id_ok) return 1;
  if (auto r = set_up(); !r) {
    set_error(r.error());
    state_.exit_code = 128;
    finish(Status::exited);
    return 1;
  }
  if (auto r = start_container(); !r) {
    set_error(r.error());
    state_.exit_code = exit_code_of_error(r.error());
    finish(Status::exited);
    return 0;
  }
  ready_.reset();
  trim_at_ = Clock::now() + kTrimDelay;
  while (!done_) loop_once();
  return 0;
}

}  // namespace

int run_shim(const ShimOptions& options) {
  Shim shim(options);
  return shim.run();
}

}  // namespace stack::runtime::shim
