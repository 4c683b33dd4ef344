// V1Manager against a temporary directory laid out like a v1 host: values written, cpuset
// initialisation, rollback, stats parsing, destroy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_tree.hpp"
#include "runtime/cgroup/factory.hpp"

namespace stack::runtime::cgroup {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::FakeTree;

constexpr const char* kControllers[] = {"memory", "cpu", "cpuacct", "cpuset", "pids", "blkio"};
using testing::kRel;

class V1ManagerTest : public ::testing::Test {
 protected:
  V1ManagerTest() {
    hierarchy_.version = Version::v1;
    for (const char* c : kControllers) hierarchy_.controllers[c] = tree_.at(c);
    tree_.file("cpuset/cpuset.cpus", "0-3\n");
    tree_.file("cpuset/cpuset.mems", "0\n");
  }

  // The leaf (and its parents) with the files the kernel makes; memsw only with swap accounting.
  void lay_out_leaf(bool swap_accounting = true) {
    for (const char* c : kControllers) tree_.file(std::string(c) + "/" + kRel + "/cgroup.procs");
    for (const char* f : {"memory.limit_in_bytes", "memory.soft_limit_in_bytes"}) tree_.file("memory/" + kRel + "/" + f);
    if (swap_accounting) tree_.file("memory/" + kRel + "/memory.memsw.limit_in_bytes", "9223372036854771712\n");
    for (const char* f : {"cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.shares"}) tree_.file("cpu/" + kRel + "/" + f);
    for (const char* dir : {"stack", "stack/demo", "stack/demo/web"}) {
      tree_.file(std::string("cpuset/") + dir + "/cpuset.cpus");
      tree_.file(std::string("cpuset/") + dir + "/cpuset.mems");
    }
    tree_.file("pids/" + kRel + "/pids.max", "max\n");
    tree_.file("blkio/" + kRel + "/blkio.bfq.weight", "100\n");  // BFQ kernel: no blkio.weight
    tree_.file("blkio/" + kRel + "/blkio.throttle.write_bps_device");
  }

  std::unique_ptr<Manager> open() {
    auto m = open_cgroup(kRel, hierarchy_);
    EXPECT_TRUE(m);
    return std::move(*m);
  }

  FakeTree tree_;
  Hierarchy hierarchy_;
};

TEST_F(V1ManagerTest, CreateWritesEveryLimitIntoItsHierarchy) {
  lay_out_leaf();
  Limits l;
  l.memory_bytes = 32 << 20;
  l.memory_swap_bytes = 32 << 20;
  l.memory_reservation_bytes = 16 << 20;
  l.cpu_quota_us = 20000;
  l.cpu_period_us = 100000;
  l.cpu_shares = 512;
  l.cpuset_cpus = "1";
  l.pids_max = 10;
  l.blkio_weight = 700;
  l.write_bps = {{8, 0, 1048576}};
  auto applied = open()->create(l);
  ASSERT_TRUE(applied) << applied.error().message();
  EXPECT_FALSE(applied->created);  // the layout existed already: idempotent re-apply
  EXPECT_THAT(applied->notes, IsEmpty());
  EXPECT_EQ(tree_.read("memory/" + kRel + "/memory.limit_in_bytes"), "33554432");
  EXPECT_EQ(tree_.read("memory/" + kRel + "/memory.memsw.limit_in_bytes"), "33554432");
  EXPECT_EQ(tree_.read("memory/" + kRel + "/memory.soft_limit_in_bytes"), "16777216");
  EXPECT_EQ(tree_.read("cpu/" + kRel + "/cpu.cfs_quota_us"), "20000");
  EXPECT_EQ(tree_.read("cpu/" + kRel + "/cpu.cfs_period_us"), "100000");
  EXPECT_EQ(tree_.read("cpu/" + kRel + "/cpu.shares"), "512");
  EXPECT_EQ(tree_.read("pids/" + kRel + "/pids.max"), "10");
  EXPECT_EQ(tree_.read("blkio/" + kRel + "/blkio.bfq.weight"), "700");
  EXPECT_EQ(tree_.read("blkio/" + kRel + "/blkio.throttle.write_bps_device"), "8:0 1048576");
}

TEST_F(V1ManagerTest, CpusetLevelsAreFilledFromTheirParentsAndTheLimitWins) {
  lay_out_leaf();
  Limits l;
  l.cpuset_cpus = "2-3";
  ASSERT_TRUE(open()->create(l));
  EXPECT_EQ(tree_.read("cpuset/stack/cpuset.cpus"), "0-3");
  EXPECT_EQ(tree_.read("cpuset/stack/demo/cpuset.cpus"), "0-3");
  EXPECT_EQ(tree_.read("cpuset/stack/demo/cpuset.mems"), "0");
  EXPECT_EQ(tree_.read("cpuset/" + kRel + "/cpuset.mems"), "0");
  EXPECT_EQ(tree_.read("cpuset/" + kRel + "/cpuset.cpus"), "2-3");
}

TEST_F(V1ManagerTest, UnlimitedSwapWithoutSwapAccountingIsANote) {
  lay_out_leaf(/*swap_accounting=*/false);
  Limits l;
  l.memory_bytes = 64 << 20;
  l.memory_swap_bytes = -1;
  auto applied = open()->create(l);
  ASSERT_TRUE(applied) << applied.error().message();
  ASSERT_EQ(applied->notes.size(), 1u);
  EXPECT_THAT(applied->notes[0], HasSubstr("memory.memsw.limit_in_bytes"));
  EXPECT_THAT(applied->notes[0], HasSubstr("swap accounting is off"));
}

TEST_F(V1ManagerTest, FiniteSwapWithoutSwapAccountingIsAnError) {
  lay_out_leaf(/*swap_accounting=*/false);
  Limits l;
  l.memory_bytes = 64 << 20;
  l.memory_swap_bytes = 128 << 20;
  auto applied = open()->create(l);
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code(), util::Errc::unsupported);
  EXPECT_THAT(applied.error().message(),
              HasSubstr("cgroup 'stack/demo/web': controller 'memory' is not available: no 'memory.memsw.limit_in_bytes'"));
  EXPECT_THAT(applied.error().message(), HasSubstr("swapaccount=1"));
  // Which setting, for the scheduler to name the service key (memswap_limit).
  EXPECT_EQ(applied.error().subject(), "cgroup memory.memsw.limit_in_bytes");
}

TEST_F(V1ManagerTest, FailedCreateRemovesWhatItMadeAndKeepsWhatExisted) {
  hierarchy_.controllers.erase("cpuset");  // keep the failure on the memory write
  for (const auto& [c, root] : hierarchy_.controllers) tree_.dir(c + "/stack");
  Limits l;
  l.memory_bytes = 32 << 20;  // the fresh fake leaf has no memory.limit_in_bytes
  auto applied = open()->create(l);
  ASSERT_FALSE(applied);
  EXPECT_THAT(applied.error().message(),
              HasSubstr("cgroup 'stack/demo/web': controller 'memory' is not available: no 'memory.limit_in_bytes'"));
  for (const auto& [c, root] : hierarchy_.controllers) {
    EXPECT_TRUE(tree_.exists(c + "/stack")) << c;
    EXPECT_FALSE(tree_.exists(c + "/stack/demo")) << c;
  }
}

TEST_F(V1ManagerTest, MissingHierarchyNamesTheController) {
  lay_out_leaf();
  hierarchy_.controllers.erase("pids");
  Limits l;
  l.pids_max = 10;
  auto applied = open()->create(l);
  ASSERT_FALSE(applied);
  EXPECT_THAT(applied.error().message(),
              HasSubstr("cgroup 'stack/demo/web': controller 'pids' is not available (no hierarchy is mounted for it)"));
}

TEST_F(V1ManagerTest, InvalidLimitsAreRejectedBeforeAnythingIsMade) {
  Limits l;
  l.cpu_shares = 1;
  auto applied = open()->create(l);
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code(), util::Errc::invalid_argument);
  EXPECT_FALSE(tree_.exists("memory/stack"));
}

TEST_F(V1ManagerTest, AddProcessWritesEveryHierarchyAndPidsIsTheUnion) {
  lay_out_leaf();
  auto m = open();
  ASSERT_TRUE(m->add_process(4242));
  for (const char* c : kControllers) EXPECT_EQ(tree_.read(std::string(c) + "/" + kRel + "/cgroup.procs"), "4242") << c;
  tree_.file("memory/" + kRel + "/cgroup.procs", "12\n34\n");
  tree_.file("cpu/" + kRel + "/cgroup.procs", "34\n56\n");
  auto pids = m->pids();
  ASSERT_TRUE(pids);
  EXPECT_THAT(*pids, ElementsAre(12, 34, 56, 4242));
}

TEST_F(V1ManagerTest, StatsAreReadFromTheV1Files) {
  tree_.file("memory/" + kRel + "/memory.usage_in_bytes", "1048576\n");
  tree_.file("memory/" + kRel + "/memory.limit_in_bytes", "33554432\n");
  tree_.file("memory/" + kRel + "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
  tree_.file("cpuacct/" + kRel + "/cpuacct.usage", "123456789\n");
  tree_.file("pids/" + kRel + "/pids.current", "7\n");
  auto m = open();
  auto st = m->stats();
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->memory_usage, 1048576u);
  EXPECT_EQ(st->memory_limit, 33554432u);
  EXPECT_EQ(st->cpu_usage_ns, 123456789u);
  EXPECT_EQ(st->pids_current, 7u);
  EXPECT_EQ(st->oom_kill_count, 3u);
  EXPECT_THAT(st->missing, IsEmpty());
  EXPECT_EQ(m->oom_killed().value_or(false), true);
  tree_.file("memory/" + kRel + "/memory.limit_in_bytes", "9223372036854771712\n");
  tree_.file("memory/" + kRel + "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
  EXPECT_EQ(m->stats()->memory_limit, std::nullopt);  // unlimited
  EXPECT_EQ(m->oom_killed().value_or(true), false);
}

TEST_F(V1ManagerTest, StatsNameTheCgroupWhenItIsMissing) {
  auto st = open()->stats();
  ASSERT_FALSE(st);
  EXPECT_THAT(st.error().message(), HasSubstr("cgroup 'stack/demo/web': read 'memory.usage_in_bytes'"));
}

TEST_F(V1ManagerTest, DestroyRemovesTheLeafAndAnEmptyProjectButNeverStack) {
  for (const char* c : kControllers) tree_.dir(std::string(c) + "/" + kRel);
  tree_.dir("memory/stack/other/db");  // another project
  auto m = open();
  auto destroyed = m->destroy();
  ASSERT_TRUE(destroyed) << destroyed.error().message();
  EXPECT_TRUE(*destroyed);
  for (const char* c : kControllers) {
    EXPECT_FALSE(tree_.exists(std::string(c) + "/stack/demo")) << c;
    EXPECT_TRUE(tree_.exists(std::string(c) + "/stack")) << c;
  }
  EXPECT_TRUE(tree_.exists("memory/stack/other/db"));
  auto again = m->destroy();
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);  // absence is a value
}

TEST_F(V1ManagerTest, DestroyKeepsAProjectThatStillHasContainers) {
  for (const char* c : kControllers) {
    tree_.dir(std::string(c) + "/" + kRel);
    tree_.dir(std::string(c) + "/stack/demo/db");
  }
  ASSERT_TRUE(open()->destroy().value_or(false));
  for (const char* c : kControllers) {
    EXPECT_FALSE(tree_.exists(std::string(c) + "/" + kRel)) << c;
    EXPECT_TRUE(tree_.exists(std::string(c) + "/stack/demo/db")) << c;
  }
}

}  // namespace
}  // namespace stack::runtime::cgroup
