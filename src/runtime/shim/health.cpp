#include "runtime/shim/health.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>

#include "runtime/container/cgroup_hook.hpp"

namespace stack::runtime::shim {

Health apply_probe(Health h, bool success, std::string output, bool in_start_period, int retries) {
  if (output.size() > kMaxHealthOutput) output.resize(kMaxHealthOutput);
  h.last_output = std::move(output);
  if (success) {
    h.status = HealthStatus::healthy;
    h.failing_streak = 0;
    return h;
  }
  // During the start period a failure is not held against a container that never passed yet.
  if (in_start_period && h.status == HealthStatus::starting) return h;
  ++h.failing_streak;
  if (h.failing_streak >= std::max(retries, 1)) h.status = HealthStatus::unhealthy;
  return h;
}

HealthMonitor::HealthMonitor(HealthCheck check, ContainerConfig container, pid_t container_pid,
                             TimePoint started)
    : check_(std::move(check)),
      container_(std::move(container)),
      container_pid_(container_pid),
      started_(started) {
  next_probe_ = started_ + period(started_);
}

std::chrono::nanoseconds HealthMonitor::period(TimePoint now) const {
  bool starting = now < started_ + check_.start_period && health_.status == HealthStatus::starting;
  return starting && check_.start_interval > Nanos(0) ? check_.start_interval : check_.interval;
}

int HealthMonitor::fd() const {
  if (output_) return output_.get();
  return pidfd_ ? pidfd_.get() : -1;
}

HealthMonitor::TimePoint HealthMonitor::next_deadline() const {
  return probe_ ? probe_deadline_ : next_probe_;
}

void HealthMonitor::start_probe(TimePoint now, cgroup::Manager* cgroup) {
  ExecConfig exec;
  if (check_.kind == HealthTestKind::cmd_shell) {
    exec.args = {"/bin/sh", "-c", check_.test.empty() ? std::string() : check_.test.front()};
  } else {
    exec.args = check_.test;
  }
  exec.env = container_.env;
  exec.cwd = container_.cwd;
  exec.user = container_.user;
  exec.additional_groups = container_.additional_groups;
  exec.security = container_.security;
  auto pipe = util::Pipe::make(O_CLOEXEC);
  if (!pipe) return complete(now, false, pipe.error().message());
  exec.stdout_fd = pipe->write.get();
  exec.stderr_fd = pipe->write.get();
  ExecHooks hooks;
  CgroupEntry entry;
  if (cgroup != nullptr) {
    entry = cgroup_entry(*cgroup);
    hooks.join_cgroup = join_cgroup_hook(*cgroup);
    hooks.cgroup_tasks = entry.task_fds();
  }
  auto process = exec_in(container_pid_, exec, hooks);
  if (!process) return complete(now, false, process.error().message());
  pipe->write.reset();
  ::fcntl(pipe->read.get(), F_SETFL, O_NONBLOCK);
  output_ = std::move(pipe->read);
  probe_ = std::move(*process);
  probe_deadline_ = now + check_.timeout;
  buffer_.clear();
}

void HealthMonitor::tick(TimePoint now, cgroup::Manager* cgroup) {
  if (!probe_) {
    if (now >= next_probe_) start_probe(now, cgroup);
    return;
  }
  if (now < probe_deadline_) return;
  abandon();
  complete(now, false, "health check exceeded timeout (" +
                           std::to_string(check_.timeout.count() / 1'000'000) + "ms)");
}

void HealthMonitor::probe_ready(TimePoint now) {
  if (output_) {
    char buf[4096];
    ssize_t n = ::read(output_.get(), buf, sizeof buf);
    if (n > 0) {
      if (buffer_.size() < kMaxHealthOutput) buffer_.append(buf, static_cast<std::size_t>(n));
      return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    // End of output: from now on wait for the process itself, without blocking the loop.
    output_.reset();
    if (auto fd = util::open_pidfd(probe_->pid())) {
      pidfd_ = std::move(*fd);
      return;
    }
  }
  auto status = probe_->try_wait();
  if (status && !*status) return;
  bool success = status && (*status)->success();
  pidfd_.reset();
  probe_.reset();
  complete(now, success, std::move(buffer_));
}

void HealthMonitor::abandon() {
  if (probe_) {
    (void)probe_->kill(SIGKILL);
    (void)probe_->wait();
    probe_.reset();
  }
  output_.reset();
  pidfd_.reset();
}

void HealthMonitor::complete(TimePoint now, bool success, std::string output) {
  bool in_start_period = now < started_ + check_.start_period;
  health_ = apply_probe(health_, success, std::move(output), in_start_period, check_.retries);
  next_probe_ = now + period(now);
}

}  // namespace stack::runtime::shim
