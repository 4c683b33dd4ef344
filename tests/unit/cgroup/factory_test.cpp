// Hierarchy detection from mountinfo text, path checks, and list_children on a fake tree.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_tree.hpp"
#include "runtime/cgroup/factory.hpp"

namespace stack::runtime::cgroup {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using testing::FakeTree;

// This machine's shape: one mount per controller, a named systemd hierarchy, cgroup2 at unified.
constexpr const char* kHybrid =
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n"
    "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

TEST(ParseMountinfo, HybridHostHasOneMountPerControllerAndTheUnifiedMount) {
  Hierarchy h = parse_mountinfo_v1(kHybrid);
  EXPECT_EQ(h.version, Version::v1);
  EXPECT_EQ(h.unified, "/sys/fs/cgroup/unified");
  EXPECT_THAT(h.controllers, ElementsAre(Pair("cpu", "/sys/fs/cgroup/cpu"), Pair("cpuacct", "/sys/fs/cgroup/cpuacct"),
                                         Pair("memory", "/sys/fs/cgroup/memory"), Pair("pids", "/sys/fs/cgroup/pids")));
}

TEST(ParseMountinfo, CoMountedControllersShareTheMountPointAndEscapesAreDecoded) {
  Hierarchy h = parse_mountinfo_v1(
      "25 24 0:22 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct,clone_children\n"
      "26 24 0:23 / /mnt/my\\040cgroups rw - cgroup cgroup rw,blkio\n");
  EXPECT_TRUE(h.unified.empty());
  EXPECT_THAT(h.controllers, ElementsAre(Pair("blkio", "/mnt/my cgroups"), Pair("cpu", "/sys/fs/cgroup/cpu,cpuacct"),
                                         Pair("cpuacct", "/sys/fs/cgroup/cpu,cpuacct")));
}

TEST(CheckRelativePath, AcceptsOnlyPathsBelowStack) {
  EXPECT_TRUE(check_relative_path("stack/demo/web", 3));
  EXPECT_TRUE(check_relative_path("stack/demo", 2));
  EXPECT_THAT(check_relative_path("system.slice/x/y", 3).error().message(), HasSubstr("must start with 'stack/'"));
  EXPECT_THAT(check_relative_path("stack/demo", 3).error().message(), HasSubstr("at least 3 components"));
  EXPECT_THAT(check_relative_path("stack/../etc", 3).error().message(), HasSubstr("'..'"));
  EXPECT_FALSE(check_relative_path("stack//web", 3));
  EXPECT_FALSE(check_relative_path("/stack/demo/web", 3));
}

TEST(OpenCgroup, ChoosesTheImplementationFromTheHierarchy) {
  auto v2 = open_cgroup("stack/demo/web", Hierarchy::v2_at("/sys/fs/cgroup"));
  ASSERT_TRUE(v2);
  EXPECT_EQ((*v2)->version(), Version::v2);
  EXPECT_EQ((*v2)->path(), "stack/demo/web");
  auto v1 = open_cgroup("stack/demo/web", parse_mountinfo_v1(kHybrid));
  ASSERT_TRUE(v1);
  EXPECT_EQ((*v1)->version(), Version::v1);
  EXPECT_FALSE(open_cgroup("stack/demo", Hierarchy::v2_at("/sys/fs/cgroup")));
  Hierarchy empty_v1;
  empty_v1.version = Version::v1;
  EXPECT_FALSE(open_cgroup("stack/demo/web", empty_v1));
}

TEST(ListChildren, UnionOverHierarchiesAsRelativePaths) {
  FakeTree t;
  t.dir("memory/stack/demo/web");
  t.dir("memory/stack/demo/db");
  t.dir("pids/stack/demo/cache");
  t.file("pids/stack/demo/cgroup.procs");  // files are not children
  Hierarchy h;
  h.version = Version::v1;
  h.controllers = {{"memory", t.at("memory")}, {"pids", t.at("pids")}};
  auto children = list_children("stack/demo", h);
  ASSERT_TRUE(children) << children.error().message();
  EXPECT_THAT(*children, ElementsAre("stack/demo/cache", "stack/demo/db", "stack/demo/web"));
  auto none = list_children("stack/other", h);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(list_children("elsewhere", h));
}

}  // namespace
}  // namespace stack::runtime::cgroup
