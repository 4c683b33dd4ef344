// ROOT: the shim through the real binary: logs, exit status, restart policies, stop, OOM.
#include <csignal>
#include <fstream>
#include <thread>
#include <regex>

#include "integration/shim/shim_fixture.hpp"

namespace stack::runtime::shim::testing {
namespace {

using namespace std::chrono_literals;

// Whether process pid has a handler for sig (SigCgt of /proc/<pid>/status). A PID 1 drops a signal
// it has no handler for, so a test that stops a trapping shell waits for its trap first.
bool catches(pid_t pid, int sig) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("SigCgt:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> (sig - 1)) & 1;
  }
  return false;
}

bool wait_catches(pid_t pid, int sig) {
  for (auto deadline = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < deadline;) {
    if (catches(pid, sig)) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

TEST_F(ShimTest, LogsHoldBothStreams) {
  std::string id = new_id();
  ASSERT_TRUE(runtime_.create(id, config(id, sh("echo a; echo b >&2; echo c"))));
  auto s = wait_final(id);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, Status::exited);
  auto entries = log_entries(id);
  ASSERT_EQ(entries.size(), 3u);
  std::vector<std::string> out, err;
  std::regex shape(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z)");
  for (const auto& e : entries) {
    EXPECT_TRUE(std::regex_match(e.time, shape)) << e.time;
    (e.stream == "stdout" ? out : err).push_back(e.log);
  }
  EXPECT_EQ(out, (std::vector<std::string>{"a\n", "c\n"}));
  EXPECT_EQ(err, (std::vector<std::string>{"b\n"}));
}

TEST_F(ShimTest, LogsKeepTheOrderOfWritesAcrossStreams) {
  // Two pipes have no common clock: the order across them is the order the shim read them, exact
  // once the writes are not simultaneous.
  std::string id = new_id();
  ASSERT_TRUE(runtime_.create(id, config(id, sh("echo a; sleep 0.3; echo b >&2; sleep 0.3; echo c; printf tail"))));
  ASSERT_TRUE(wait_final(id));
  auto entries = log_entries(id);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].log + entries[0].stream, "a\nstdout");
  EXPECT_EQ(entries[1].log + entries[1].stream, "b\nstderr");
  EXPECT_EQ(entries[2].log + entries[2].stream, "c\nstdout");
  EXPECT_EQ(entries[3].log, "tail");  // the last line without '\n' is flushed at the end
  EXPECT_LT(entries[0].time, entries[1].time);
  EXPECT_LT(entries[1].time, entries[2].time);
}

TEST_F(ShimTest, ExitCodeComesThrough) {
  std::string id = new_id();
  ASSERT_TRUE(runtime_.create(id, config(id, sh("exit 3"))));
  auto s = wait_final(id);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, Status::exited);
  EXPECT_EQ(s->exit_code, 3);
  EXPECT_EQ(s->signal, 0);
  EXPECT_FALSE(s->oom_killed);
  EXPECT_EQ(s->restart_count, 0);
  EXPECT_FALSE(s->started_at.empty());
  EXPECT_FALSE(s->finished_at.empty());
  EXPECT_TRUE(wait_gone(s->shim_pid));
  EXPECT_TRUE(cgroup_dirs(id).empty());
}

TEST_F(ShimTest, DeathBySignalComesThrough) {
  std::string id = new_id();
  ASSERT_TRUE(runtime_.create(id, config(id, {"/bin/sleep", "1000"})));
  auto running = runtime_.state(id);
  ASSERT_TRUE(running && *running);
  EXPECT_EQ((*running)->status, Status::running);
  EXPECT_TRUE((*running)->shim_alive);
  EXPECT_GT((*running)->pid, 0);
  ASSERT_TRUE(runtime_.kill(id, SIGKILL));
  auto s = wait_final(id);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, Status::exited);
  EXPECT_EQ(s->signal, SIGKILL);
  EXPECT_EQ(s->exit_code, 137);
  EXPECT_FALSE(s->oom_killed);
}

TEST_F(ShimTest, OnFailureRestartsAtMostNTimesWithGrowingGaps) {
  std::string id = new_id();
  ShimConfig c = config(id, sh("echo started; exit 1"));
  c.restart = {RestartMode::on_failure, 2};
  ASSERT_TRUE(runtime_.create(id, c));
  auto s = wait_final(id);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, Status::exited);
  EXPECT_EQ(s->restart_count, 2);
  EXPECT_EQ(s->exit_code, 1);
  auto entries = log_entries(id);
  ASSERT_EQ(entries.size(), 3u);
  double gap1 = seconds_of_day(entries[1].time) - seconds_of_day(entries[0].time);
  double gap2 = seconds_of_day(entries[2].time) - seconds_of_day(entries[1].time);
  // The backoff is a lower bound (100 ms then 200 ms); start-up time only adds to it.
  EXPECT_GE(gap1, 0.095);
  EXPECT_GE(gap2, 0.195);
}

TEST_F(ShimTest, AlwaysRestartsUntilStopped) {
  std::string id = new_id();
  ShimConfig c = config(id, sh("exit 0"));
  c.restart = {RestartMode::always, 0};
  ASSERT_TRUE(runtime_.create(id, c));
  auto restarted = wait_for(id, [](const ContainerState& s) { return s.restart_count >= 3; });
  ASSERT_TRUE(restarted);
  EXPECT_FALSE(is_final(restarted->status));
  ASSERT_TRUE(runtime_.stop(id, 5s));
  auto s = runtime_.state(id);
  ASSERT_TRUE(s && *s);
  EXPECT_EQ((*s)->status, Status::stopped);
  EXPECT_TRUE(wait_gone((*s)->shim_pid));
}

TEST_F(ShimTest, NoPolicyStaysDown) {
  std::string id = new_id();
  ASSERT_TRUE(runtime_.create(id, config(id, sh("exit 1"))));
  auto s = wait_final(id);
  ASSERT_TRUE(s);
  std::this_thread::sleep_for(500ms);
  auto later = runtime_.state(id);
  ASSERT_TRUE(later && *later);
  EXPECT_EQ((*later)->status, Status::exited);
  EXPECT_EQ((*later)->restart_count, 0);
  EXPECT_TRUE(wait_gone(s->shim_pid));
}

TEST_F(ShimTest, StopEscalatesToSigkillAfterTheGracePeriod) {
  std::string id = new_id();
  ShimConfig c = config(id, sh("trap '' TERM; while true; do sleep 1; done"));
  c.restart = {RestartMode::always, 0};  // a user stop must win over the policy
  ASSERT_TRUE(runtime_.create(id, c));
  auto begin = std::chrono::steady_clock::now();
  ASSERT_TRUE(runtime_.stop(id, 2s));
  auto took = std::chrono::steady_clock::now() - begin;
  EXPECT_GE(took, 1900ms);
  EXPECT_LT(took, 30s);
  auto s = runtime_.state(id);
  ASSERT_TRUE(s && *s);
  EXPECT_EQ((*s)->status, Status::stopped);
  EXPECT_EQ((*s)->signal, SIGKILL);
  EXPECT_EQ((*s)->exit_code, 137);
  EXPECT_TRUE(cgroup_dirs(id).empty());
}

TEST_F(ShimTest, StopSignalEndsACooperativeContainerQuickly) {
  // SIGTERM (the default) and a configured stop signal both reach a PID 1 that handles them.
  for (int sig : {SIGTERM, SIGUSR1}) {
    std::string id = new_id();
    std::string name = sig == SIGTERM ? "TERM" : "USR1";
    ShimConfig c = config(id, sh("trap 'exit 0' " + name + "; while true; do sleep 0.1; done"));
    c.stop_signal = sig;
    c.stop_grace_period = 20s;
    ASSERT_TRUE(runtime_.create(id, c));
    auto running = runtime_.state(id);
    ASSERT_TRUE(running && *running);
    ASSERT_TRUE(wait_catches((*running)->pid, sig)) << name << ": the shell never set its trap";
    auto begin = std::chrono::steady_clock::now();
    ASSERT_TRUE(runtime_.stop(id, std::nullopt));
    EXPECT_LT(std::chrono::steady_clock::now() - begin, 15s) << name;
    auto s = runtime_.state(id);
    ASSERT_TRUE(s && *s);
    EXPECT_EQ((*s)->status, Status::stopped);
    EXPECT_EQ((*s)->exit_code, 0) << name;
  }
}

TEST_F(ShimTest, OomKillIsReportedAs137) {
  std::string id = new_id();
  // tail keeps the last lines; /dev/zero has none, so its buffer grows until the limit.
  ShimConfig c = config(id, {"/bin/tail", "/dev/zero"});
  c.limits.memory_bytes = 16 << 20;
  c.limits.memory_swap_bytes = 16 << 20;
  ASSERT_TRUE(runtime_.create(id, c));
  auto s = wait_final(id);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->exit_code, 137);
  EXPECT_TRUE(s->oom_killed);
}

TEST_F(ShimTest, MissingExecutableFailsCreateWithOneLine) {
  std::string id = new_id();
  auto created = runtime_.create(id, config(id, {"/nope"}));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().message(), "exec \"/nope\": No such file or directory");
  // Nothing is left half-made.
  auto s = runtime_.state(id);
  ASSERT_TRUE(s);
  EXPECT_FALSE(*s);
  EXPECT_TRUE(cgroup_dirs(id).empty());
}

}  // namespace
}  // namespace stack::runtime::shim::testing
