// The daemon's keyed work queue under a fake clock: coalescing, one pass of a key at a time,
// exponential backoff with jitter, an event during a pass.
#include "daemon/work_queue.hpp"

#include <gtest/gtest.h>

#include <set>

namespace stack::daemon {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class WorkQueueTest : public ::testing::Test {
 protected:
  Clock::time_point t0_{seconds(1000)};
  WorkQueue queue_{BackoffPolicy{milliseconds(1000), milliseconds(60000), 0.2}, 42};
};

TEST_F(WorkQueueTest, AddsOfOneKeyCoalesceAndTheEarliestTimeWins) {
  queue_.add("shop", t0_, milliseconds(250));
  queue_.add("shop", t0_, milliseconds(100));
  queue_.add("shop", t0_, milliseconds(500));
  EXPECT_EQ(queue_.next_ready(), t0_ + milliseconds(100));
  EXPECT_EQ(queue_.take(t0_ + milliseconds(99)), std::nullopt);
  EXPECT_EQ(queue_.take(t0_ + milliseconds(100)), "shop");
  EXPECT_EQ(queue_.take(t0_ + milliseconds(100)), std::nullopt);  // one pass for three adds
}

TEST_F(WorkQueueTest, KeysComeOutInTheOrderTheirTimesCome) {
  queue_.add("b", t0_, milliseconds(20));
  queue_.add("a", t0_, milliseconds(30));
  queue_.add("c", t0_, milliseconds(10));
  Clock::time_point later = t0_ + seconds(1);
  EXPECT_EQ(queue_.take(later), "c");
  EXPECT_EQ(queue_.take(later), "b");
  EXPECT_EQ(queue_.take(later), "a");
}

TEST_F(WorkQueueTest, AKeyIsNeverHandedOutTwiceAtOnce) {
  queue_.add("shop", t0_);
  ASSERT_EQ(queue_.take(t0_), "shop");
  queue_.add("shop", t0_);  // an event during its pass
  EXPECT_EQ(queue_.take(t0_), std::nullopt);
  EXPECT_TRUE(queue_.processing("shop"));
  EXPECT_EQ(queue_.done("shop", true, t0_), t0_);  // ready again at once, for the new event
  EXPECT_EQ(queue_.take(t0_), "shop");
  EXPECT_EQ(queue_.done("shop", true, t0_), std::nullopt);
  EXPECT_TRUE(queue_.idle());
}

TEST_F(WorkQueueTest, FailuresBackOffExponentiallyWithinTheJitterUpToTheCap) {
  Clock::time_point now = t0_;
  queue_.add("shop", now);
  for (int n = 1; n <= 10; ++n) {
    ASSERT_EQ(queue_.take(now), "shop");
    auto retry = queue_.done("shop", false, now);
    ASSERT_TRUE(retry);
    EXPECT_EQ(queue_.failures("shop"), n);
    const double expected = std::min(60000.0, 1000.0 * (1 << (n - 1)));
    const double got = static_cast<double>(std::chrono::duration_cast<milliseconds>(*retry - now).count());
    EXPECT_GE(got, expected * 0.8 - 1) << "failure " << n;
    EXPECT_LE(got, expected * 1.2 + 1) << "failure " << n;
    EXPECT_EQ(queue_.take(*retry - milliseconds(1)), std::nullopt);
    now = *retry;
  }
  ASSERT_EQ(queue_.take(now), "shop");
  EXPECT_EQ(queue_.done("shop", true, now), std::nullopt);
  EXPECT_EQ(queue_.failures("shop"), 0);  // a success forgets
}

TEST_F(WorkQueueTest, AnEventDuringAFailingPassIsNotHeldBackByTheBackoff) {
  queue_.add("shop", t0_);
  ASSERT_EQ(queue_.take(t0_), "shop");
  queue_.add("shop", t0_, milliseconds(250));  // the file was fixed meanwhile
  auto retry = queue_.done("shop", false, t0_);
  EXPECT_EQ(retry, t0_ + milliseconds(250));
}

TEST_F(WorkQueueTest, JitterSpreadsKeysThatFailTogether) {
  std::set<Clock::duration::rep> delays;
  for (int i = 0; i < 8; ++i) delays.insert(queue_.backoff(3).count());
  EXPECT_GT(delays.size(), 4u);
}

}  // namespace
}  // namespace stack::daemon
