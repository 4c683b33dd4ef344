// Resource limits as docker means them, through the real binary: 0 is unlimited for memory and
// pids (the container's cgroup has no limit), what the runtime cannot honour is refused by the
// stack file before anything is made, what only the host can judge names the service key, and an
// OOM kill shows in ps and inspect.
#include <fstream>

#include "integration/orchestrator/e2e_fixture.hpp"
#include "util/file_lock.hpp"

namespace stack::e2e {
namespace {

using ::testing::HasSubstr;

class Limits : public StackTest {
 protected:
  // A cgroup v1 controller file of the container (this machine: hybrid, controllers on v1).
  std::string cgroup_file(const std::string& controller, const std::string& name, const std::string& file) const {
    std::ifstream in("/sys/fs/cgroup/" + controller + "/stack/" + project_ + "/" + name + "/" + file);
    std::string value;
    in >> value;
    return value;
  }
};

TEST_F(Limits, ZeroMemoryAndPidsLimitsRunUnlimited) {
  start(70);
  write_stack(
      "  app:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    mem_limit: 0\n"
      "    pids_limit: 0\n"
      "    cpu_shares: 1\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;
  std::string name = container("app");
  ASSERT_TRUE(std::filesystem::exists("/sys/fs/cgroup/memory/stack/" + project_ + "/" + name))
      << "expects cgroup v1 controllers, as this machine and CI have";
  // v1's "no limit" is the page counter's maximum, 2^63 rounded down to a page.
  std::string memory = cgroup_file("memory", name, "memory.limit_in_bytes");
  ASSERT_FALSE(memory.empty());
  EXPECT_GT(std::stoull(memory), 1ull << 62) << memory;
  EXPECT_EQ(cgroup_file("pids", name, "pids.max"), "max");
  EXPECT_EQ(cgroup_file("cpu", name, "cpu.shares"), "2");  // raised as docker raises it
  Outcome sh = stack("exec -T app sh -c 'echo ok'");
  EXPECT_EQ(sh.out, "ok\n") << sh.err;
}

// cpu_rt_runtime: the container's cgroup gets its real-time time, its parents a budget that holds
// it, so that a SCHED_FIFO policy is allowed there (and not in a container without it); after
// `down` the stack group holds no more than its remaining children (other tests may run one).
TEST_F(Limits, RealTimeCpuTimeAllowsAFifoPolicyAndIsGivenBack) {
  start(5);
  write_stack(
      "  rt:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    cpu_rt_runtime: 20ms\n"
      "    cpu_rt_period: 100000\n"
      "  plain:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;
  EXPECT_EQ(cgroup_file("cpu", container("rt"), "cpu.rt_runtime_us"), "20000");
  EXPECT_EQ(cgroup_file("cpu", container("rt"), "cpu.rt_period_us"), "100000");
  auto read = [](const std::string& dir) {
    std::ifstream in("/sys/fs/cgroup/cpu/" + dir + "/cpu.rt_runtime_us");
    long long v = -1;
    in >> v;
    return v;
  };
  EXPECT_EQ(read("stack/" + project_), 200000) << "20 ms per 100 ms is 200000 us per second";
  EXPECT_GE(read("stack"), 200000);
  auto pid_of = [&](const std::string& service) { return std::to_string(ps()[container(service)]["Pid"].get<int>()); };
  EXPECT_EQ(sh("chrt -f -p 1 " + pid_of("rt") + " >/dev/null 2>&1; echo $?"), "0\n");
  EXPECT_NE(sh("chrt -f -p 1 " + pid_of("plain") + " >/dev/null 2>&1; echo $?"), "0\n");
  ASSERT_EQ(stack("down -t 0").code, 0);
  // Under the budgets' lock: a container being made elsewhere (the ASan run of this test) raises
  // the parents before its own group holds its share.
  auto lock = util::FileLock::acquire_directory("/sys/fs/cgroup/cpu/stack");
  ASSERT_TRUE(lock) << lock.error().message();
  long long held = 0;
  for (const auto& child : std::filesystem::directory_iterator("/sys/fs/cgroup/cpu/stack")) {
    if (child.is_directory()) held += read("stack/" + child.path().filename().string());
  }
  EXPECT_LE(read("stack"), held) << "the stack group keeps only what its children hold";
}

TEST_F(Limits, WhatTheRuntimeCannotHonourIsRefusedBeforeAnythingIsMade) {
  start(71);
  write_stack(
      "  app:\n"
      "    image: busybox\n"
      "    memswap_limit: 1g\n"
      "    ports: [\"80:80/sctp\"]\n"
      "    security_opt: [apparmor=foo]\n"
      "    sysctls: {vm.swappiness: 1}\n");
  Outcome up = stack("up -d");
  EXPECT_EQ(up.code, 1);
  std::string f = file();
  EXPECT_THAT(up.err, HasSubstr(f + ":4:20: services.app.memswap_limit: needs a memory limit"));
  EXPECT_THAT(up.err, HasSubstr(f + ":5:13: services.app.ports[0]: not supported yet: sctp"));
  EXPECT_THAT(up.err, HasSubstr(f + ":6:20: services.app.security_opt[0]: not supported"));
  EXPECT_THAT(up.err, HasSubstr(f + ":7:15: services.app.sysctls.vm.swappiness: 'vm.swappiness' is not namespaced"));
  Outcome config = stack("config");
  EXPECT_EQ(config.code, 1);
  EXPECT_THAT(config.err, HasSubstr(f + ":4:20: services.app.memswap_limit: needs a memory limit"));
  EXPECT_EQ(sh("ip -o link show " + net::bridge_name(project_ + "_default") + " 2>/dev/null"), "");
  write_stack("  app:\n    image: busybox\n");  // for the teardown's down
}

// What only the host can judge fails at `up`, naming the service key once, and leaves nothing.
TEST_F(Limits, WhatOnlyTheHostCanJudgeNamesTheServiceKey) {
  start(77);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"    user: ghost\n", "services.app.user: unable to find user 'ghost'"},
      {"    group_add: [ghosts]\n", "services.app.group_add: unable to find group 'ghosts'"},
      {"    cpuset: \"63\"\n", "services.app.cpuset: "},  // a cpu this 2-core machine lacks
  };
  for (const auto& [key, message] : cases) {
    write_stack("  app:\n    image: busybox\n    command: [\"sleep\", \"600\"]\n" + key);
    Outcome up = stack("up -d");
    EXPECT_EQ(up.code, 1) << key;
    EXPECT_THAT(up.err, HasSubstr("container " + container("app") + ": " + message)) << up.err;
    EXPECT_THAT(up.err, ::testing::Not(HasSubstr("user 'ghost': "))) << up.err;  // said once
    Outcome ps = stack("ps -a -q");
    EXPECT_EQ(ps.out, "") << key;
    EXPECT_FALSE(std::filesystem::exists("/sys/fs/cgroup/memory/stack/" + project_ + "/" + container("app")));
  }
}

TEST_F(Limits, AnOomKilledContainerShowsItInPsAndInspect) {
  start(72);
  // PID 1 (sh, no init) doubles a string until the 16 MiB limit kills it; no swap on this machine,
  // and memswap_limit equal to the memory would forbid it anyway.
  write_stack(
      "  hog:\n"
      "    image: busybox\n"
      "    command: [\"sh\", \"-c\", \"x=aaaaaaaa; while true; do x=$$x$$x; done\"]\n"
      "    mem_limit: 16m\n"
      "    memswap_limit: 16m\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;
  std::string name = container("hog");
  ASSERT_TRUE(wait_until(name, [](const nlohmann::json& c) { return c["State"] == "exited"; },
                         std::chrono::seconds(30)));
  nlohmann::json c = ps()[name];
  EXPECT_EQ(c["OOMKilled"], true) << c.dump();
  EXPECT_EQ(c["ExitCode"], 137) << c.dump();
  EXPECT_THAT(c["Status"].get<std::string>(), HasSubstr("Exited (137)"));
  EXPECT_THAT(c["Status"].get<std::string>(), HasSubstr("(OOMKilled)"));
  Outcome table = stack("ps -a");
  EXPECT_THAT(table.out, HasSubstr("(OOMKilled)"));

  Outcome inspect = stack("inspect " + name);
  ASSERT_EQ(inspect.code, 0) << inspect.err;
  auto j = nlohmann::json::parse(inspect.out, nullptr, false);
  ASSERT_TRUE(j.is_array() && j.size() == 1u) << inspect.out;
  const auto& s = j[0]["State"];
  EXPECT_EQ(s["Status"], "exited");
  EXPECT_EQ(s["Running"], false);
  EXPECT_EQ(s["OOMKilled"], true);
  EXPECT_EQ(s["ExitCode"], 137);
  EXPECT_EQ(s["Pid"], 0);
  EXPECT_NE(s["FinishedAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(j[0]["Name"], "/" + name);
  EXPECT_EQ(j[0]["Config"]["Cmd"], nlohmann::json({"sh", "-c", "x=aaaaaaaa; while true; do x=$x$x; done"}));
  EXPECT_EQ(j[0]["Config"]["Labels"]["com.docker.compose.service"], "hog");
  EXPECT_TRUE(j[0]["NetworkSettings"]["Networks"].contains(project_ + "_default")) << inspect.out;
  EXPECT_THAT(j[0]["NetworkSettings"]["Networks"][project_ + "_default"]["IPAddress"].get<std::string>(),
              ::testing::StartsWith(prefix_));

  // Several at once, one of them missing: the found ones are printed, the missing one named.
  Outcome missing = stack("inspect " + name + " nope");
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no such container: 'nope'"));
  auto partial = nlohmann::json::parse(missing.out, nullptr, false);
  EXPECT_TRUE(partial.is_array() && partial.size() == 1u) << missing.out;
}

}  // namespace
}  // namespace stack::e2e
