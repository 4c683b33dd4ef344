// Health checks, run by the shim: every interval (start_interval during start_period) the test is
// exec'd into the container (exec.hpp) with a timeout; retries failures in a row make the container
// unhealthy, one success makes it healthy, and failures inside start_period do not count, as docker.
// One probe at a time; its output pipe and then its pidfd are polled by the shim's loop.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

#include "runtime/cgroup/manager.hpp"
#include "runtime/container/exec.hpp"
#include "runtime/shim/container_state.hpp"
#include "runtime/shim/shim_config.hpp"
#include "util/fd.hpp"

namespace stack::runtime::shim {

inline constexpr std::size_t kMaxHealthOutput = 4096;

// The pure part: the health after one probe result.
Health apply_probe(Health health, bool success, std::string output, bool in_start_period,
                   int retries);

class HealthMonitor {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  HealthMonitor(HealthCheck check, ContainerConfig container, pid_t container_pid,
                TimePoint started);

  const Health& health() const { return health_; }
  // The descriptor to poll while a probe runs (its output, then its pidfd), else -1.
  int fd() const;
  // When tick() has work: the next probe, or the running probe's timeout.
  TimePoint next_deadline() const;
  bool due(TimePoint now) const { return now >= next_deadline(); }

  // Starts a probe when one is due; kills one that exceeded its timeout.
  void tick(TimePoint now, cgroup::Manager* cgroup);
  // fd() was readable.
  void probe_ready(TimePoint now);
  // The container is gone: kill and reap a running probe.
  void abandon();

 private:
  void start_probe(TimePoint now, cgroup::Manager* cgroup);
  void complete(TimePoint now, bool success, std::string output);
  std::chrono::nanoseconds period(TimePoint now) const;

  HealthCheck check_;
  ContainerConfig container_;
  pid_t container_pid_;
  TimePoint started_;
  Health health_;
  TimePoint next_probe_;
  // The running probe.
  std::optional<Process> probe_;
  util::UniqueFd output_;
  util::UniqueFd pidfd_;
  std::string buffer_;
  TimePoint probe_deadline_{};
};

}  // namespace stack::runtime::shim
