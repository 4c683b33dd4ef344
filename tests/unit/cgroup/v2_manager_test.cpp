// V2Manager against a temporary directory laid out like a unified hierarchy: controller delegation,
// values written, unavailable controllers, stats parsing, destroy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_tree.hpp"
#include "runtime/cgroup/cgroup_v2.hpp"
#include "runtime/cgroup/factory.hpp"
#include "runtime/cgroup/settings.hpp"

namespace stack::runtime::cgroup {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::FakeTree;

using testing::kRel;

class V2ManagerTest : public ::testing::Test {
 protected:
  void lay_out(const std::string& offered, bool leaf = true) {
    tree_.file("cgroup.controllers", offered);
    tree_.file("cgroup.subtree_control", "memory\n");
    tree_.file("stack/cgroup.subtree_control");
    tree_.file("stack/demo/cgroup.subtree_control");
    if (!leaf) return;
    for (const char* f : {"cgroup.procs", "memory.max", "memory.swap.max", "memory.low", "cpu.max", "cpu.weight",
                          "cpuset.cpus", "pids.max", "io.weight", "io.max"}) {
      tree_.file(kRel + "/" + f);
    }
  }
  std::unique_ptr<Manager> open() {
    auto m = open_cgroup(kRel, Hierarchy::v2_at(tree_.root()));
    EXPECT_TRUE(m);
    return std::move(*m);
  }

  FakeTree tree_;
};

TEST(ParseControllerList, ReadsKernelAndPlusPrefixedLists) {
  EXPECT_THAT(parse_controller_list("cpuset cpu io memory pids\n"), ElementsAre("cpu", "cpuset", "io", "memory", "pids"));
  EXPECT_THAT(parse_controller_list("+cpu +io"), ElementsAre("cpu", "io"));
  EXPECT_THAT(parse_controller_list("\n"), IsEmpty());
}

TEST_F(V2ManagerTest, CreateDelegatesControllersDownAndWritesEveryLimit) {
  lay_out("cpuset cpu io memory pids\n");
  Limits l;
  l.memory_bytes = 32 << 20;
  l.memory_swap_bytes = 48 << 20;
  l.memory_reservation_bytes = 8 << 20;
  l.cpu_quota_us = 20000;
  l.cpu_shares = 1024;
  l.pids_max = 10;
  l.blkio_weight = 500;
  l.read_bps = {{8, 0, 1048576}};
  auto applied = open()->create(l);
  ASSERT_TRUE(applied) << applied.error().message();
  EXPECT_THAT(applied->notes, IsEmpty());
  // The root already delegated memory: only the rest is added there.
  EXPECT_EQ(tree_.read("cgroup.subtree_control"), "+cpu +io +pids");
  EXPECT_EQ(tree_.read("stack/cgroup.subtree_control"), "+cpu +io +memory +pids");
  EXPECT_EQ(tree_.read("stack/demo/cgroup.subtree_control"), "+cpu +io +memory +pids");
  EXPECT_EQ(tree_.read(kRel + "/memory.max"), "33554432");
  EXPECT_EQ(tree_.read(kRel + "/memory.swap.max"), "16777216");
  EXPECT_EQ(tree_.read(kRel + "/memory.low"), "8388608");
  EXPECT_EQ(tree_.read(kRel + "/cpu.max"), "20000 100000");
  EXPECT_EQ(tree_.read(kRel + "/cpu.weight"), "39");
  EXPECT_EQ(tree_.read(kRel + "/pids.max"), "10");
  EXPECT_EQ(tree_.read(kRel + "/io.weight"), "default " + std::to_string(blkio_to_io_weight(500)));
  EXPECT_EQ(tree_.read(kRel + "/io.max"), "8:0 rbps=1048576");
}

TEST_F(V2ManagerTest, AControllerTheRootDoesNotOfferIsNamedAndNothingIsMade) {
  lay_out("\n", /*leaf=*/false);
  Limits l;
  l.memory_bytes = 32 << 20;
  auto applied = open()->create(l);
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code(), util::Errc::unsupported);
  EXPECT_EQ(applied.error().message(), "cgroup 'stack/demo/web': controller 'memory' is not available in the cgroup v2 "
                                       "hierarchy at '" + tree_.root() + "' (it offers: none)");
  EXPECT_FALSE(tree_.exists(kRel));
}

TEST_F(V2ManagerTest, RealTimeCpuTimeIsRefusedAndNothingIsMade) {
  lay_out("cpu memory\n", /*leaf=*/false);
  Limits l;
  l.cpu_rt_runtime_us = 10000;
  auto applied = open()->create(l);
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code(), util::Errc::unsupported);
  EXPECT_THAT(applied.error().message(), HasSubstr("cgroup v2 has no real-time group scheduling"));
  EXPECT_FALSE(tree_.exists(kRel));
}

TEST_F(V2ManagerTest, WithoutLimitsAnEmptyHierarchyStillWorksWithNotes) {
  tree_.file("cgroup.controllers", "");
  auto m = open();
  auto applied = m->create(Limits{});
  ASSERT_TRUE(applied) << applied.error().message();
  EXPECT_TRUE(applied->created);
  ASSERT_EQ(applied->notes.size(), 2u);
  EXPECT_THAT(applied->notes[0], HasSubstr("controller 'memory' is not available"));
  EXPECT_THAT(applied->notes[1], HasSubstr("controller 'pids' is not available"));
  EXPECT_TRUE(tree_.exists(kRel));
  auto again = m->create(Limits{});
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
}

TEST_F(V2ManagerTest, StatsReadMemoryCpuPidsAndOomEvents) {
  tree_.file(kRel + "/cgroup.controllers", "cpu memory pids\n");
  tree_.file(kRel + "/memory.current", "2097152\n");
  tree_.file(kRel + "/memory.max", "33554432\n");
  tree_.file(kRel + "/memory.events", "low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n");
  tree_.file(kRel + "/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n");
  tree_.file(kRel + "/pids.current", "3\n");
  auto m = open();
  auto st = m->stats();
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->memory_usage, 2097152u);
  EXPECT_EQ(st->memory_limit, 33554432u);
  EXPECT_EQ(st->cpu_usage_ns, 1500000u);
  EXPECT_EQ(st->pids_current, 3u);
  EXPECT_EQ(st->oom_kill_count, 2u);
  EXPECT_THAT(st->missing, IsEmpty());
  EXPECT_TRUE(m->oom_killed().value_or(false));
  tree_.file(kRel + "/memory.max", "max\n");
  EXPECT_EQ(m->stats()->memory_limit, std::nullopt);
}

TEST_F(V2ManagerTest, StatsListTheControllersThatAreMissing) {
  tree_.file(kRel + "/cgroup.controllers", "\n");
  tree_.file(kRel + "/cpu.stat", "usage_usec 7\n");
  auto m = open();
  auto st = m->stats();
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->cpu_usage_ns, 7000u);
  EXPECT_THAT(st->missing, ElementsAre("memory", "pids"));
  EXPECT_EQ(m->oom_killed().value_or(true), false);
}

TEST_F(V2ManagerTest, AddProcessAndPids) {
  lay_out("memory\n");
  auto m = open();
  ASSERT_TRUE(m->add_process(31337));
  EXPECT_EQ(tree_.read(kRel + "/cgroup.procs"), "31337");
  auto pids = m->pids();
  ASSERT_TRUE(pids);
  EXPECT_THAT(*pids, ElementsAre(31337));
}

TEST_F(V2ManagerTest, DestroyRemovesLeafAndEmptyProjectOnly) {
  tree_.dir(kRel);
  tree_.dir("stack/other/db");
  auto m = open();
  ASSERT_TRUE(m->destroy().value_or(false));
  EXPECT_FALSE(tree_.exists("stack/demo"));
  EXPECT_TRUE(tree_.exists("stack/other/db"));
  auto again = m->destroy();
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST_F(V2ManagerTest, AddProcessToAMissingCgroupIsAnErrorNamingIt) {
  auto r = open()->add_process(1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "cgroup 'stack/demo/web': add process 1: write cgroup.procs: No such file or directory");
}

}  // namespace
}  // namespace stack::runtime::cgroup
