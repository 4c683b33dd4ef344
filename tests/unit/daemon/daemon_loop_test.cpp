// The daemon's loop with a fake reconciler that records its passes: what a file written, edited,
// broken and removed makes it do, the status it serves, and its stop on SIGTERM. No root: the
// stacks directory and the state root are temporary directories.
#include "daemon/daemon.hpp"

#include <signal.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "daemon/daemon_record.hpp"
#include "daemon/status_socket.hpp"
#include "support/rootfs.hpp"

namespace stack::daemon {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

struct Pass {
  std::string what;  // "apply NAME boot|resync" or "remove PROJECT"
};

class FakeReconciler final : public Reconciler {
 public:
  util::Result<PassOutcome> apply(const StackSource& source, PassMode mode) override {
    std::string text = test::read_text(source.files.at(0));
    record("apply " + source.key + (mode == PassMode::boot ? " boot" : " resync"));
    if (text.find("broken") != std::string::npos) {
      return util::Error(util::Errc::invalid_argument, source.files[0] + ":1:1: services: broken");
    }
    if (text.find("failing") != std::string::npos) return util::Error(util::Errc::io, "the host said no");
    return PassOutcome{"p-" + source.key, 1, 2, {}};
  }
  util::Result<void> remove(const std::string& project) override {
    record("remove " + project);
    return util::ok();
  }

  // Waits (5 s at most) until a pass matching `what` was recorded; returns how many did.
  int wait_for(const std::string& what) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 5s, [&] { return count_locked(what) > 0; });
    return count_locked(what);
  }
  int count(const std::string& what) {
    std::lock_guard lock(mu_);
    return count_locked(what);
  }

 private:
  void record(std::string what) {
    std::lock_guard lock(mu_);
    passes_.push_back(std::move(what));
    cv_.notify_all();
  }
  int count_locked(const std::string& what) const {
    return static_cast<int>(std::count(passes_.begin(), passes_.end(), what));
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> passes_;
};

class DaemonLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Blocked in this thread before the daemon's starts, so that the test's SIGTERM (sent to the
    // process) waits for the daemon's signalfd instead of ending the test binary.
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
    ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
    options_.stacks_dir = dir_ / "stacks.d";
    options_.root = dir_ / "root";
    options_.debounce = 20ms;
  }
  void start() {
    thread_ = std::thread([this] { exit_code_ = run_daemon(options_, fake_); });
  }
  void stop() {
    ::kill(::getpid(), SIGTERM);
    thread_.join();
    EXPECT_EQ(exit_code_, 0);
  }
  nlohmann::json status() {
    for (int i = 0; i < 100; ++i) {
      auto s = query_status(status_socket_path(options_.root));
      if (s) return *s;
      std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << "no status";
    return {};
  }
  void write(const std::string& name, const std::string& text) {
    // As an editor saves: a temporary renamed into place.
    ASSERT_TRUE(test::write_text(options_.stacks_dir + "/." + name + ".tmp", text));
    std::filesystem::rename(options_.stacks_dir + "/." + name + ".tmp", options_.stacks_dir + "/" + name);
  }

  test::TempDir dir_{"stack-daemon-loop"};
  DaemonOptions options_;
  FakeReconciler fake_;
  std::thread thread_;
  int exit_code_ = -1;
};

TEST_F(DaemonLoopTest, AFileDroppedEditedAndRemovedIsAppliedThenBroughtDown) {
  start();
  ASSERT_TRUE(status()["ready"].get<bool>());
  write("shop.yaml", "services: {}\n");
  EXPECT_EQ(fake_.wait_for("apply shop boot"), 1);  // no record of a boot yet: as `up -d`
  write("shop.yaml", "services: {a: {}}\n");
  EXPECT_EQ(fake_.wait_for("apply shop resync"), 1);
  std::filesystem::remove(options_.stacks_dir + "/shop.yaml");
  EXPECT_EQ(fake_.wait_for("remove p-shop"), 1);
  stop();
  auto record = load_record(options_.root);
  ASSERT_TRUE(record);
  EXPECT_TRUE(record->applied.empty());
  EXPECT_EQ(record->boot_id, current_boot_id());
}

TEST_F(DaemonLoopTest, ABadFileIsShownWithItsLineAndTheGoodOneRuns) {
  std::filesystem::create_directories(options_.stacks_dir);
  ASSERT_TRUE(test::write_text(options_.stacks_dir + "/good.yaml", "services: {}\n"));
  ASSERT_TRUE(test::write_text(options_.stacks_dir + "/bad.yaml", "broken\n"));
  start();
  EXPECT_EQ(fake_.wait_for("apply good boot"), 1);
  nlohmann::json s;
  for (int i = 0; i < 100; ++i) {
    s = status();
    if (s["ready"].get<bool>()) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(s["projects"].size(), 2u);
  EXPECT_EQ(s["projects"][0]["key"], "bad");
  EXPECT_EQ(s["projects"][0]["state"], "invalid");
  EXPECT_THAT(s["projects"][0]["last_error"].get<std::string>(), HasSubstr("bad.yaml:1:1:"));
  EXPECT_EQ(s["projects"][1]["state"], "converged");
  EXPECT_EQ(s["summary"], "2 stacks, 1/2 running, 1 failing: bad");
  // Fixed: applied at once, not after a backoff; still its boot pass, since none succeeded yet.
  write("bad.yaml", "services: {}\n");
  for (int i = 0; i < 100 && fake_.count("apply bad boot") < 2; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(fake_.count("apply bad boot"), 2);
  stop();
}

TEST_F(DaemonLoopTest, AFailingPassIsRetriedAfterABackoffAndARestartRemembersTheBoot) {
  std::filesystem::create_directories(options_.stacks_dir);
  ASSERT_TRUE(test::write_text(options_.stacks_dir + "/shop.yaml", "failing\n"));
  start();
  EXPECT_EQ(fake_.wait_for("apply shop boot"), 1);
  nlohmann::json s;
  for (int i = 0; i < 100; ++i) {  // the pass is recorded as it begins; its result follows
    s = status();
    if (s["projects"][0]["state"] != "reconciling") break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(s["projects"][0]["state"], "failing");
  EXPECT_TRUE(s["projects"][0].contains("retry_at"));
  stop();
  // A second daemon on the same boot: resync passes only.
  ASSERT_TRUE(test::write_text(options_.stacks_dir + "/shop.yaml", "services: {}\n"));
  start();
  EXPECT_EQ(fake_.wait_for("apply shop resync"), 1);
  EXPECT_EQ(fake_.count("apply shop boot"), 1);
  stop();
}

TEST_F(DaemonLoopTest, AFileRemovedWhileNoDaemonRanIsBroughtDownAtStart) {
  ASSERT_TRUE(save_record(options_.root, DaemonRecord{current_boot_id(), {{"gone", "p-gone"}}}));
  start();
  EXPECT_EQ(fake_.wait_for("remove p-gone"), 1);
  stop();
}

}  // namespace
}  // namespace stack::daemon
