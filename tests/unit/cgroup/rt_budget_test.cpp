// The real-time budgets of cgroup v1 (rt_budget.hpp) on a directory tree standing in for the
// cpu hierarchy: its files are what the functions read and write.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "runtime/cgroup/rt_budget.hpp"
#include "support/rootfs.hpp"

namespace stack::runtime::cgroup::detail {
namespace {

namespace fs = std::filesystem;

class RtBudget : public ::testing::Test {
 protected:

  void group(const std::string& rel, long runtime, long period = 1000000) {
    fs::create_directories(root_ + "/" + rel);
    std::ofstream(root_ + "/" + rel + "/cpu.rt_runtime_us") << runtime;
    std::ofstream(root_ + "/" + rel + "/cpu.rt_period_us") << period;
  }
  long runtime(const std::string& rel) const {
    std::ifstream in(root_ + "/" + rel + "/cpu.rt_runtime_us");
    long v = -1;
    in >> v;
    return v;
  }

  test::TempDir dir_{"stack-rt-budget"};
  const std::string& root_ = dir_.path();
};

TEST_F(RtBudget, AReleaseLowersEveryAncestorToWhatItsChildrenHold) {
  group("stack", 400000);
  group("stack/p1", 200000);
  group("stack/p1/c", 20000, 100000);  // 200000 us per second
  group("stack/p2", 200000);
  group("stack/p2/c", 200000);
  ASSERT_TRUE(release_rt_budget(root_, "stack/p1/c"));
  EXPECT_EQ(runtime("stack/p1/c"), 0);
  EXPECT_EQ(runtime("stack/p1"), 0);
  EXPECT_EQ(runtime("stack"), 200000);  // p2's
}

// Another project's group removed while this release runs (groups are removed outside the lock,
// after their own release): it holds nothing, and the release goes on to the top.
TEST_F(RtBudget, AGroupRemovedMeanwhileHoldsNothing) {
  group("stack", 200000);
  group("stack/p1", 200000);
  group("stack/p1/c", 200000);
  fs::create_directories(root_ + "/stack/p2");  // listed, but its files are gone
  ASSERT_TRUE(release_rt_budget(root_, "stack/p1/c"));
  EXPECT_EQ(runtime("stack/p1"), 0);
  EXPECT_EQ(runtime("stack"), 0);
}

TEST_F(RtBudget, AReserveRaisesTheAncestorsFromTheTop) {
  group("stack", 100000);
  group("stack/p2", 100000);
  group("stack/p1", 0);
  group("stack/p1/c", 0);
  Limits limits;
  limits.cpu_rt_runtime_us = 20000;
  limits.cpu_rt_period_us = 100000;
  ASSERT_TRUE(reserve_rt_budget(root_, "stack/p1/c", limits));
  EXPECT_EQ(runtime("stack/p1"), 200000);
  EXPECT_EQ(runtime("stack"), 300000);  // p1's and p2's
}

}  // namespace
}  // namespace stack::runtime::cgroup::detail
