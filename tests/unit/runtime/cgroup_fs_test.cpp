// The /sys/fs/cgroup a container gets, as a pure function of the host's hierarchies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/container/cgroup_fs.hpp"

namespace stack::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using V1 = CgroupFsLayout::V1Mount;

TEST(CgroupFsLayout, AUnifiedHostGetsOneCgroup2Mount) {
  auto layout = cgroup_fs_layout(cgroup::Hierarchy::v2_at("/sys/fs/cgroup"));
  EXPECT_TRUE(layout.unified);
  EXPECT_THAT(layout.v1, IsEmpty());
  EXPECT_FALSE(layout.empty());
}

TEST(CgroupFsLayout, AHybridHostGetsEachHierarchyOnceWithLinksForJoinedControllers) {
  cgroup::Hierarchy host;
  host.version = cgroup::Version::v1;
  host.unified = "/sys/fs/cgroup/unified";
  host.controllers = {{"cpu", "/sys/fs/cgroup/cpu,cpuacct"},
                      {"cpuacct", "/sys/fs/cgroup/cpu,cpuacct"},
                      {"memory", "/sys/fs/cgroup/memory"},
                      {"net_cls", "/sys/fs/cgroup/net_cls,net_prio"},
                      {"net_prio", "/sys/fs/cgroup/net_cls,net_prio"}};
  auto layout = cgroup_fs_layout(host);
  EXPECT_FALSE(layout.unified);
  // A v1 hierarchy can only be mounted again with exactly its own controllers.
  EXPECT_THAT(layout.v1, ElementsAre(V1{"cpu,cpuacct", "cpu,cpuacct"}, V1{"memory", "memory"},
                                     V1{"net_cls,net_prio", "net_cls,net_prio"}));
  EXPECT_THAT(layout.links, ElementsAre(Pair("cpu", "cpu,cpuacct"), Pair("cpuacct", "cpu,cpuacct"),
                                        Pair("net_cls", "net_cls,net_prio"), Pair("net_prio", "net_cls,net_prio")));
  EXPECT_EQ(layout.hybrid_unified, "unified");
}

TEST(CgroupFsLayout, ALegacyHostWithoutCgroup2HasNoUnifiedDir) {
  cgroup::Hierarchy host;
  host.version = cgroup::Version::v1;
  host.controllers = {{"pids", "/sys/fs/cgroup/pids"}};
  auto layout = cgroup_fs_layout(host);
  EXPECT_THAT(layout.v1, ElementsAre(V1{"pids", "pids"}));
  EXPECT_THAT(layout.links, IsEmpty());
  EXPECT_TRUE(layout.hybrid_unified.empty());
}

TEST(CgroupFsLayout, NoHierarchyIsAnEmptyLayout) {
  cgroup::Hierarchy host;
  host.version = cgroup::Version::v1;
  EXPECT_TRUE(cgroup_fs_layout(host).empty());
}

}  // namespace
}  // namespace stack::runtime
