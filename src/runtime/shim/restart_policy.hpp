// The restart monitor as a pure decision (containerd's restart monitor, docker's restartmanager):
// given how the container ended, the policy, how often it was restarted and how long it ran, say
// whether to start it again and after what delay. No clock, no I/O: time comes in as values, so the
// tests drive it with a fake clock.
//
// Backoff as docker: 100 ms, doubled after each quick exit, capped at one minute, and reset once the
// container ran for 10 s.
#pragma once

#include <chrono>

#include "runtime/shim/shim_config.hpp"

namespace stack::runtime::shim {

inline constexpr Nanos kRestartInitialDelay = std::chrono::milliseconds(100);
inline constexpr Nanos kRestartMaxDelay = std::chrono::minutes(1);
inline constexpr Nanos kRestartResetAfter = std::chrono::seconds(10);

struct RestartInput {
  RestartPolicy policy;
  int exit_code = 0;          // 128 + signal for a killed process, as docker reports it
  bool stopped_by_user = false;
  int restart_count = 0;      // restarts done so far
  Nanos ran_for{0};
  Nanos previous_delay{0};    // the delay before the last restart; 0 before the first
};

struct RestartDecision {
  bool restart = false;
  Nanos delay{0};  // meaningful when restart is set; the next previous_delay
  bool operator==(const RestartDecision&) const = default;
};

RestartDecision decide_restart(const RestartInput& input);

// The delay docker would wait after this run: the backoff step on its own.
Nanos next_delay(Nanos previous_delay, Nanos ran_for);

// The shim's side of the decision: remembers the count, the last delay and when the current run
// started. Time points come from the caller (CLOCK_MONOTONIC in the shim, a fake clock in tests).
class RestartTracker {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit RestartTracker(RestartPolicy policy) : policy_(policy) {}

  void started(TimePoint now) { started_at_ = now; }
  // Decides, and counts the restart when there is one.
  RestartDecision exited(TimePoint now, int exit_code, bool stopped_by_user);

  int restart_count() const { return restart_count_; }

 private:
  RestartPolicy policy_;
  int restart_count_ = 0;
  Nanos previous_delay_{0};
  TimePoint started_at_{};
};

}  // namespace stack::runtime::shim
