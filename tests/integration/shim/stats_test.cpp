// ROOT: Runtime::stats and Runtime::top on real containers: a process that holds 40 MiB shows in
// the cgroup's memory and in its own rss, cpu time grows while it works, the limit is the one set,
// and top lists the container's processes with their parents, users and command lines.
#include <algorithm>

#include "integration/shim/shim_fixture.hpp"

namespace stack::runtime::shim::testing {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kMiB = 1024 * 1024;
// dd keeps one block of bs bytes and fills it from /dev/zero over and over: resident, and busy.
// sh waits, so that it stays (as the last command of -c, it would exec instead).
const char* kWorker = "dd if=/dev/zero of=/dev/null bs=41943040 count=1000000000 & sleep 1000 & wait";

std::optional<ContainerStats> poll_stats(Runtime& rt, const std::string& id,
                                         const std::function<bool(const ContainerStats&)>& pred) {
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto s = rt.stats(id);
    if (s && pred(*s)) return *s;
    std::this_thread::sleep_for(50ms);
  }
  return std::nullopt;
}

TEST_F(ShimTest, StatsShowMemoryCpuPidsAndLimit) {
  std::string id = new_id();
  ShimConfig c = config(id, sh(kWorker));
  c.limits.memory_bytes = 256 * kMiB;
  c.limits.cpu_quota_us = 20000;  // 0.2 cpu: the machine is shared
  c.limits.cpu_period_us = 100000;
  ASSERT_TRUE(runtime_.create(id, c));
  auto first = poll_stats(runtime_, id, [](const ContainerStats& s) {
    return s.memory_usage >= 40 * kMiB && s.pids >= 3;
  });
  ASSERT_TRUE(first) << "memory never reached 40 MiB: " << runtime_.stats(id)->memory_usage;
  EXPECT_TRUE(first->missing.empty());
  EXPECT_EQ(first->memory_limit, 256 * kMiB);
  EXPECT_LT(first->memory_usage, 256 * kMiB);
  EXPECT_EQ(first->pids, 3u);  // sh, dd, sleep
  EXPECT_GT(first->cpu_usage_ns, 0u);
  // An own network namespace with only lo: counters exist and are zero.
  EXPECT_EQ(first->net_rx_bytes, 0u);
  EXPECT_EQ(first->net_tx_bytes, 0u);
  auto later = poll_stats(runtime_, id, [&](const ContainerStats& s) {
    return s.cpu_usage_ns >= first->cpu_usage_ns + 20'000'000;
  });
  EXPECT_TRUE(later) << "cpu usage did not grow by 20 ms";
}

TEST_F(ShimTest, TopListsTheContainersProcesses) {
  std::string id = new_id();
  ShimConfig c = config(id, sh(kWorker));
  c.limits.cpu_quota_us = 20000;
  c.limits.cpu_period_us = 100000;
  c.container.user = "nobody";
  ASSERT_TRUE(runtime_.create(id, c));
  auto s = wait_for(id, [](const ContainerState& s) { return s.status == Status::running; });
  ASSERT_TRUE(s);
  std::vector<ProcessInfo> procs;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  // dd has touched its block and been charged cpu time (top counts in clock ticks). busybox sh runs
  // the dd applet in its forked child without exec, so that child keeps sh's command line.
  auto has_big_dd = [&] {
    return std::any_of(procs.begin(), procs.end(), [](const ProcessInfo& p) {
      return p.rss_bytes >= 40 * kMiB && p.cpu_time.count() > 0;
    });
  };
  // The forked child has exec'd sleep (until then it shows sh's command line).
  auto has_sleep = [&] {
    return std::any_of(procs.begin(), procs.end(),
                       [](const ProcessInfo& p) { return p.cmdline == "sleep 1000" && p.state == 'S'; });
  };
  while (std::chrono::steady_clock::now() < deadline) {
    auto top = runtime_.top(id);
    ASSERT_TRUE(top) << top.error().message();
    procs = *top;
    if (procs.size() == 3 && has_big_dd() && has_sleep()) break;
    std::this_thread::sleep_for(50ms);
  }
  std::string listing;
  for (const ProcessInfo& p : procs) {
    listing += std::to_string(p.pid) + " " + std::to_string(p.ppid) + " " + std::to_string(p.uid) + " " +
               p.state + " " + std::to_string(p.cpu_time.count()) + "ns " + std::to_string(p.rss_bytes) +
               "B " + p.cmdline + "\n";
  }
  ASSERT_EQ(procs.size(), 3u) << listing;
  EXPECT_TRUE(has_big_dd()) << listing;
  EXPECT_TRUE(std::is_sorted(procs.begin(), procs.end(),
                             [](const ProcessInfo& a, const ProcessInfo& b) { return a.pid < b.pid; }));
  const ProcessInfo& init = procs[0];
  EXPECT_EQ(init.pid, s->pid);
  EXPECT_EQ(init.cmdline, "/bin/sh -c " + std::string(kWorker));
  for (const ProcessInfo& p : procs) {
    EXPECT_EQ(p.uid, 65534u) << p.cmdline;
    if (p.pid != init.pid) {
      EXPECT_EQ(p.ppid, init.pid) << p.cmdline;
    }
  }
  EXPECT_TRUE(has_sleep()) << listing;
}

TEST_F(ShimTest, StatsAndTopOfAStoppedOrMissingContainerAreErrors) {
  auto missing = runtime_.stats("nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), util::Errc::not_found);
  EXPECT_EQ(missing.error().message(), "no such container 'nope'");
  std::string id = new_id();
  ASSERT_TRUE(runtime_.create(id, config(id, {"/bin/true"})));
  ASSERT_TRUE(wait_final(id));
  auto stats = runtime_.stats(id);
  ASSERT_FALSE(stats);
  EXPECT_EQ(stats.error().code(), util::Errc::conflict);
  EXPECT_EQ(stats.error().message(), "container '" + id + "' is not running");
  auto top = runtime_.top(id);
  ASSERT_FALSE(top);
  EXPECT_EQ(top.error().code(), util::Errc::conflict);
}

}  // namespace
}  // namespace stack::runtime::shim::testing
