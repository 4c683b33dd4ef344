// ROOT tests of V2Manager for real. On this machine (and CI) cgroup2 is mounted at
// /sys/fs/cgroup/unified with every controller bound to v1: cgroups, membership, cgroup.kill and
// destroy work there; limits must fail naming the controller that is missing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "cgroup_fixture.hpp"

namespace stack::runtime::cgroup {
namespace {

using testing::exists;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Child;
using testing::ProjectGuard;


// The host's cgroup2 mount as a v2 Hierarchy: the root of a unified host, the hybrid "unified" dir
// otherwise.
Hierarchy unified_hierarchy() {
  auto h = detect_hierarchy();
  EXPECT_TRUE(h) << h.error().message();
  if (!h) return {};
  return h->version == Version::v2 ? *h : Hierarchy::v2_at(h->unified);
}

// Whether the hierarchy's root offers controller (on this hybrid host it offers only hugetlb).
bool offers(const std::string& root, const std::string& controller) {
  std::ifstream in(root + "/cgroup.controllers");
  for (std::string word; in >> word;) {
    if (word == controller) return true;
  }
  return false;
}

class CgroupV2RootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "these tests need root (CI runs them as root)";
    h_ = unified_hierarchy();
    ASSERT_FALSE(h_.unified.empty()) << "no cgroup2 mount on this host";
  }
  Hierarchy h_;
};

TEST_F(CgroupV2RootTest, ROOT_CgroupInTheUnifiedHierarchyHoldsKillsAndIsDestroyed) {
  ProjectGuard guard(testing::unique_project("v2"), h_);
  auto m = open_cgroup(guard.cgroup("web"), h_);
  ASSERT_TRUE(m) << m.error().message();
  auto& cg = **m;
  EXPECT_EQ(cg.version(), Version::v2);
  auto applied = cg.create(Limits{});
  ASSERT_TRUE(applied) << applied.error().message();
  EXPECT_TRUE(applied->created);
  std::string dir = h_.unified + "/" + guard.cgroup("web");
  ASSERT_TRUE(exists(dir + "/cgroup.procs"));

  Child child([](int) {
    ::pause();
    return 0;
  });
  ASSERT_TRUE(cg.add_process(child.pid()));
  auto pids = cg.pids();
  ASSERT_TRUE(pids) << pids.error().message();
  EXPECT_THAT(*pids, ElementsAre(child.pid()));
  std::ifstream procs(dir + "/cgroup.procs");
  std::string first;
  std::getline(procs, first);
  EXPECT_EQ(first, std::to_string(child.pid()));

  auto st = cg.stats();
  ASSERT_TRUE(st) << st.error().message();
  if (!offers(h_.unified, "memory") && !offers(h_.unified, "pids")) {
    EXPECT_THAT(st->missing, ElementsAre("memory", "pids"));
  }

  // 5.14+ kernels have cgroup.kill, which kill_all uses for SIGKILL.
  EXPECT_TRUE(exists(dir + "/cgroup.kill"));
  auto killed = cg.kill_all(SIGKILL);
  ASSERT_TRUE(killed) << killed.error().message();
  EXPECT_EQ(*killed, 1u);
  int status = child.wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  auto after = cg.pids();
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty());

  auto destroyed = cg.destroy();
  ASSERT_TRUE(destroyed) << destroyed.error().message();
  EXPECT_TRUE(*destroyed);
  EXPECT_FALSE(exists(dir));
  EXPECT_FALSE(exists(h_.unified + "/" + guard.parent()));
  EXPECT_FALSE(cg.destroy().value_or(true));
}

TEST_F(CgroupV2RootTest, ROOT_LimitsWithoutControllersNameTheMissingController) {
  if (offers(h_.unified, "memory") || offers(h_.unified, "cpu")) {
    GTEST_SKIP() << "this host's cgroup2 mount offers memory and cpu; the case needs a hybrid host (as CI)";
  }
  ProjectGuard guard(testing::unique_project("v2lim"), h_);
  auto m = open_cgroup(guard.cgroup("web"), h_);
  ASSERT_TRUE(m);
  Limits limits;
  limits.memory_bytes = 32 << 20;
  limits.pids_max = 10;
  auto applied = (*m)->create(limits);
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code(), util::Errc::unsupported);
  EXPECT_THAT(applied.error().message(),
              HasSubstr("cgroup '" + guard.cgroup("web") + "': controller 'memory' is not available in the cgroup v2 " +
                        "hierarchy at '" + h_.unified + "' (it offers: "));
  EXPECT_FALSE(exists(h_.unified + "/" + guard.parent()));  // nothing was made

  Limits cpu_only;
  cpu_only.cpu_shares = 512;
  auto cpu = (*m)->create(cpu_only);
  ASSERT_FALSE(cpu);
  EXPECT_THAT(cpu.error().message(), HasSubstr("controller 'cpu' is not available"));
}

// The device filter is an eBPF program on the cgroup, which works in the unified hierarchy of a
// hybrid host too (no controller needed): the kernel checks it on every device open.
TEST_F(CgroupV2RootTest, ROOT_TheDeviceFilterDeniesWhatNoRuleAllows) {
  ASSERT_TRUE(exists("/dev/loop0")) << "the test needs the host's /dev/loop0";
  ProjectGuard guard(testing::unique_project("v2dev"), h_);
  auto m = open_cgroup(guard.cgroup("web"), h_);
  ASSERT_TRUE(m);
  Limits limits;
  limits.devices = default_device_rules();
  auto applied = (*m)->create(limits);
  ASSERT_TRUE(applied) << applied.error().message();
  testing::OpenResults r = testing::device_opens_in(**m);
  EXPECT_EQ(r.null_read, 0);
  EXPECT_EQ(r.loop_read, EPERM);
  EXPECT_EQ(r.loop_write, EPERM);

  // Re-applied with a read rule: the program is replaced, not stacked.
  limits.devices->push_back(DeviceRule{DeviceType::block, 7, 0, util::kAccessRead});
  ASSERT_TRUE((*m)->create(limits));
  r = testing::device_opens_in(**m);
  EXPECT_EQ(r.null_read, 0);
  EXPECT_EQ(r.loop_read, 0);
  EXPECT_EQ(r.loop_write, EPERM);
}

}  // namespace
}  // namespace stack::runtime::cgroup
