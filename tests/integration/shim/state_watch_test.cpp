// ShimRuntime's StateWatch on real shims: a waiter wakes when the container's state changes (its
// exit, written by the shim), when its log grows, and when its shim is killed (which writes
// nothing); and a wait with nothing happening runs out.
#include <signal.h>

#include "integration/shim/shim_fixture.hpp"

namespace stack::runtime::shim::testing {
namespace {

// Waits on watch until pred holds for id's state; false if the watch timed out first (a change
// the watch missed would end here: the test never polls).
bool wake_until(ShimRuntime& runtime, StateWatch& watch, const std::string& id,
                const std::function<bool(const ContainerState&)>& pred) {
  for (;;) {
    auto s = runtime.state(id);
    if (!s || !*s) return false;
    if (pred(**s)) return true;
    if (!watch.add(id, **s)) return false;
    auto woke = watch.wait(std::chrono::seconds(20));
    if (!woke || !*woke) return false;
  }
}

// Starts the container and watches it; seen: its state when the watch began.
std::unique_ptr<StateWatch> watched(ShimRuntime& runtime, const std::string& id, const ShimConfig& config,
                                    WatchOptions options, ContainerState* seen = nullptr) {
  if (!runtime.create(id, config)) return nullptr;
  auto watch = runtime.watch(options);
  auto s = runtime.state(id);
  if (!watch || !s || !*s || !(*watch)->add(id, **s)) return nullptr;
  if (seen != nullptr) *seen = **s;
  return std::move(*watch);
}

TEST_F(ShimTest, WatchWakesOnExit) {
  std::string id = new_id();
  auto watch = watched(runtime_, id, config(id, {"sleep", "1000"}), {});
  ASSERT_TRUE(watch);
  // A first add counts as a change: the state read before it is read once more.
  auto first = watch->wait(std::chrono::seconds(0));
  ASSERT_TRUE(first);
  EXPECT_TRUE(*first);
  // Nothing happens: the wait runs out.
  auto idle = watch->wait(std::chrono::milliseconds(200));
  ASSERT_TRUE(idle);
  EXPECT_FALSE(*idle);
  ASSERT_TRUE(runtime_.kill(id, SIGKILL));
  EXPECT_TRUE(wake_until(runtime_, *watch, id, [](const ContainerState& c) { return is_final(c.status); }));
}

TEST_F(ShimTest, WatchWakesOnLogLinesWhenAskedTo) {
  std::string id = new_id();
  auto watch = watched(runtime_, id, config(id, sh("sleep 0.3; echo one; sleep 1000")), {.logs = true});
  ASSERT_TRUE(watch);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool logged = false;
  while (!logged && std::chrono::steady_clock::now() < deadline) {
    auto woke = watch->wait(std::chrono::seconds(20));
    ASSERT_TRUE(woke);
    ASSERT_TRUE(*woke) << "no wake-up for the log line";
    logged = !log_entries(id).empty();
  }
  EXPECT_TRUE(logged);
}

TEST_F(ShimTest, WatchWakesWhenTheShimIsKilled) {
  std::string id = new_id();
  ContainerState seen;
  auto watch = watched(runtime_, id, config(id, {"sleep", "1000"}), {}, &seen);
  ASSERT_TRUE(watch);
  ASSERT_TRUE(watch->wait(std::chrono::seconds(0)));  // the first add's change
  ASSERT_EQ(::kill(seen.shim_pid, SIGKILL), 0);
  // The shim writes nothing as it dies: its pidfd wakes the waiter, and state() recovers it.
  auto woke = watch->wait(std::chrono::seconds(20));
  ASSERT_TRUE(woke);
  EXPECT_TRUE(*woke);
  EXPECT_TRUE(wake_until(runtime_, *watch, id, [](const ContainerState& c) { return is_final(c.status); }));
}

}  // namespace
}  // namespace stack::runtime::shim::testing
