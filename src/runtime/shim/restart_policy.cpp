#include "runtime/shim/restart_policy.hpp"

#include <algorithm>

namespace stack::runtime::shim {

Nanos next_delay(Nanos previous_delay, Nanos ran_for) {
  // A run of 10 s or more counts as healthy: the backoff starts over.
  if (ran_for >= kRestartResetAfter || previous_delay <= Nanos(0)) return kRestartInitialDelay;
  return std::min(previous_delay * 2, kRestartMaxDelay);
}

namespace {

bool wants_restart(const RestartInput& in) {
  switch (in.policy.mode) {
    case RestartMode::no:
      return false;
    case RestartMode::always:
    case RestartMode::unless_stopped:
      return !in.stopped_by_user;
    case RestartMode::on_failure:
      if (in.stopped_by_user || in.exit_code == 0) return false;
      return in.policy.max_retries <= 0 || in.restart_count < in.policy.max_retries;
  }
  return false;
}

}  // namespace

RestartDecision decide_restart(const RestartInput& in) {
  if (!wants_restart(in)) return {};
  return {true, next_delay(in.previous_delay, in.ran_for)};
}

RestartDecision RestartTracker::exited(TimePoint now, int exit_code, bool stopped_by_user) {
  RestartInput in;
  in.policy = policy_;
  in.exit_code = exit_code;
  in.stopped_by_user = stopped_by_user;
  in.restart_count = restart_count_;
  in.ran_for = std::chrono::duration_cast<Nanos>(now - started_at_);
  in.previous_delay = previous_delay_;
  RestartDecision d = decide_restart(in);
  if (d.restart) {
    ++restart_count_;
    previous_delay_ = d.delay;
  }
  return d;
}

}  // namespace stack::runtime::shim
