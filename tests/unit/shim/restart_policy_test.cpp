// The restart decision and docker's backoff, driven by a fake clock: no sleeps, no processes.
#include <gtest/gtest.h>

#include "runtime/shim/restart_policy.hpp"

namespace stack::runtime::shim {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  void advance(Nanos d) { now += d; }
};

RestartInput input(RestartMode mode, int exit_code, int max_retries = 0) {
  RestartInput in;
  in.policy = {mode, max_retries};
  in.exit_code = exit_code;
  in.ran_for = 1s;
  return in;
}

TEST(RestartPolicy, NoNeverRestarts) {
  EXPECT_FALSE(decide_restart(input(RestartMode::no, 1)).restart);
  EXPECT_FALSE(decide_restart(input(RestartMode::no, 0)).restart);
  EXPECT_FALSE(decide_restart(input(RestartMode::no, 137)).restart);
}

TEST(RestartPolicy, AlwaysRestartsAfterAnyExitButAUserStop) {
  EXPECT_TRUE(decide_restart(input(RestartMode::always, 0)).restart);
  EXPECT_TRUE(decide_restart(input(RestartMode::always, 1)).restart);
  auto stopped = input(RestartMode::always, 143);
  stopped.stopped_by_user = true;
  EXPECT_FALSE(decide_restart(stopped).restart);
}

TEST(RestartPolicy, UnlessStoppedRestartsUntilTheUserStops) {
  EXPECT_TRUE(decide_restart(input(RestartMode::unless_stopped, 0)).restart);
  EXPECT_TRUE(decide_restart(input(RestartMode::unless_stopped, 2)).restart);
  auto stopped = input(RestartMode::unless_stopped, 0);
  stopped.stopped_by_user = true;
  EXPECT_FALSE(decide_restart(stopped).restart);
}

TEST(RestartPolicy, OnFailureOnlyForNonZeroExitAndAtMostNTimes) {
  EXPECT_FALSE(decide_restart(input(RestartMode::on_failure, 0, 3)).restart);
  auto in = input(RestartMode::on_failure, 1, 2);
  in.restart_count = 0;
  EXPECT_TRUE(decide_restart(in).restart);
  in.restart_count = 1;
  EXPECT_TRUE(decide_restart(in).restart);
  in.restart_count = 2;
  EXPECT_FALSE(decide_restart(in).restart);
  auto stopped = input(RestartMode::on_failure, 137, 5);
  stopped.stopped_by_user = true;
  EXPECT_FALSE(decide_restart(stopped).restart);
}

TEST(RestartPolicy, OnFailureWithoutMaximumIsUnbounded) {
  auto in = input(RestartMode::on_failure, 3, 0);
  in.restart_count = 1000;
  EXPECT_TRUE(decide_restart(in).restart);
}

TEST(RestartPolicy, BackoffDoublesFrom100msAndCapsAtOneMinute) {
  FakeClock clock;
  RestartTracker tracker({RestartMode::always, 0});
  std::vector<Nanos> delays;
  for (int i = 0; i < 12; ++i) {
    tracker.started(clock.now);
    clock.advance(50ms);  // crashes right away
    RestartDecision d = tracker.exited(clock.now, 1, false);
    ASSERT_TRUE(d.restart);
    delays.push_back(d.delay);
    clock.advance(d.delay);
  }
  EXPECT_EQ(delays[0], 100ms);
  EXPECT_EQ(delays[1], 200ms);
  EXPECT_EQ(delays[2], 400ms);
  EXPECT_EQ(delays[9], 51200ms);
  EXPECT_EQ(delays[10], 1min);  // 102.4 s capped
  EXPECT_EQ(delays[11], 1min);
  EXPECT_EQ(tracker.restart_count(), 12);
}

TEST(RestartPolicy, BackoffResetsOnceTheContainerRanTenSeconds) {
  FakeClock clock;
  RestartTracker tracker({RestartMode::always, 0});
  for (int i = 0; i < 4; ++i) {  // 100, 200, 400, 800 ms
    tracker.started(clock.now);
    clock.advance(1s);
    clock.advance(tracker.exited(clock.now, 1, false).delay);
  }
  tracker.started(clock.now);
  clock.advance(9999ms);  // just short of 10 s: still backing off
  EXPECT_EQ(tracker.exited(clock.now, 1, false).delay, 1600ms);
  tracker.started(clock.now);
  clock.advance(10s);
  EXPECT_EQ(tracker.exited(clock.now, 1, false).delay, 100ms);
  tracker.started(clock.now);
  clock.advance(1s);
  EXPECT_EQ(tracker.exited(clock.now, 1, false).delay, 200ms);
}

TEST(RestartPolicy, TrackerCountsOnlyRestartsThatHappen) {
  FakeClock clock;
  RestartTracker tracker({RestartMode::on_failure, 2});
  for (int i = 0; i < 5; ++i) {
    tracker.started(clock.now);
    clock.advance(1s);
    (void)tracker.exited(clock.now, 2, false);
  }
  EXPECT_EQ(tracker.restart_count(), 2);
}

TEST(RestartPolicy, NextDelayAlone) {
  EXPECT_EQ(next_delay(Nanos(0), 1s), 100ms);
  EXPECT_EQ(next_delay(100ms, 1s), 200ms);
  EXPECT_EQ(next_delay(40s, 1s), 1min);
  EXPECT_EQ(next_delay(40s, 10s), 100ms);
}

TEST(RestartPolicy, ParseAndFormat) {
  for (const char* text : {"no", "always", "on-failure", "on-failure:3", "unless-stopped"}) {
    auto p = parse_restart_policy(text);
    ASSERT_TRUE(p) << text;
    EXPECT_EQ(format_restart_policy(*p), text);
  }
  EXPECT_EQ(parse_restart_policy("on-failure:2")->max_retries, 2);
  EXPECT_FALSE(parse_restart_policy("sometimes"));
  EXPECT_FALSE(parse_restart_policy("on-failure:x"));
  EXPECT_FALSE(parse_restart_policy("on-failure:"));
}

}  // namespace
}  // namespace stack::runtime::shim
