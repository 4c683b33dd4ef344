// The create hook puts the container into its cgroup before setup starts. Root only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "harness.hpp"
#include "runtime/cgroup/factory.hpp"
#include "runtime/container/cgroup_hook.hpp"
#include "runtime/container/exec.hpp"

namespace stack::runtime::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(RuntimeTest, JoinsItsCgroupBeforeStartingAndExecJoinsToo) {
  std::string path = "stack/rt-" + std::to_string(::getpid()) + "/seam";
  auto manager = cgroup::open_cgroup(path);
  ASSERT_TRUE(manager) << manager.error().message();
  ASSERT_TRUE((*manager)->create({}));
  auto container = Container::create(config({"sleep", "100"}), {.join_cgroup = join_cgroup_hook(**manager)});
  ASSERT_TRUE(container) << container.error().message();
  ASSERT_TRUE(container->start());
  // From the host the process is in the cgroup; inside, the cgroup namespace shows it as "/".
  std::string host_view = test::read_text("/proc/" + std::to_string(container->pid()) + "/cgroup");
  EXPECT_THAT(host_view, HasSubstr(path));
  auto pids = (*manager)->pids();
  ASSERT_TRUE(pids);
  EXPECT_THAT(*pids, ::testing::Contains(container->pid()));

  ExecConfig e;
  e.args = {"sleep", "100"};
  auto exec = exec_in(container->pid(), e, {.join_cgroup = join_cgroup_hook(**manager)});
  ASSERT_TRUE(exec) << exec.error().message();
  EXPECT_THAT(test::read_text("/proc/" + std::to_string(exec->pid()) + "/cgroup"), HasSubstr(path));
  exec = Process();  // killed and reaped before the container goes
  EXPECT_TRUE(container->remove());
  auto destroyed = (*manager)->destroy();
  EXPECT_TRUE(destroyed) << destroyed.error().message();
}

// cgroup v1 (this host's controllers; on a unified host there is nothing to test): the container's
// process and an exec's process write themselves into every hierarchy's `tasks` file, without the
// join hook (a write of their pid to cgroup.procs, whose first use waits for an RCU grace period).
TEST_F(RuntimeTest, JoinsItsV1CgroupsItselfWithoutTheHook) {
  auto host = cgroup::detect_hierarchy();
  ASSERT_TRUE(host) << host.error().message();
  if (host->version == cgroup::Version::v2) GTEST_SKIP() << "a unified host has no v1 hierarchy";
  std::string path = "stack/rt-" + std::to_string(::getpid()) + "/self";
  auto manager = cgroup::open_cgroup(path, *host);
  ASSERT_TRUE(manager) << manager.error().message();
  ASSERT_TRUE((*manager)->create({}));
  CgroupEntry entry = cgroup_entry(**manager);
  ASSERT_FALSE(entry.tasks.empty()) << "a v1 cgroup offers its tasks files";
  bool joined = false;
  auto refuse = [&joined](pid_t) {
    joined = true;
    return util::Result<void>(util::Error(util::Errc::internal, "the join hook ran"));
  };
  auto container = Container::create(config({"sleep", "100"}), {.join_cgroup = refuse, .cgroup_tasks = entry.task_fds()});
  ASSERT_TRUE(container) << container.error().message();
  EXPECT_FALSE(joined);
  ASSERT_TRUE(container->start());
  std::string host_view = test::read_text("/proc/" + std::to_string(container->pid()) + "/cgroup");
  for (const char* controller : {"memory", "pids", "cpuset", "blkio"}) {
    EXPECT_THAT(host_view, HasSubstr(std::string(controller) + ":/" + path + "\n")) << host_view;
  }

  ExecConfig e;
  e.args = {"sleep", "100"};
  auto exec = exec_in(container->pid(), e, {.join_cgroup = refuse, .cgroup_tasks = entry.task_fds()});
  ASSERT_TRUE(exec) << exec.error().message();
  EXPECT_FALSE(joined);
  EXPECT_THAT(test::read_text("/proc/" + std::to_string(exec->pid()) + "/cgroup"), HasSubstr("memory:/" + path + "\n"));
  auto pids = (*manager)->pids();
  ASSERT_TRUE(pids);
  EXPECT_THAT(*pids, ::testing::UnorderedElementsAre(container->pid(), exec->pid()));
  exec = Process();
  EXPECT_TRUE(container->remove());
  auto destroyed = (*manager)->destroy();
  EXPECT_TRUE(destroyed) << destroyed.error().message();
}

// cgroup v2 (the hybrid host's cgroup2 mount here, the whole hierarchy on a unified host): cloned
// straight into its cgroup, without the join hook, and inside its own cgroup namespace it is "/".
TEST_F(RuntimeTest, ClonedIntoItsV2CgroupWithoutJoining) {
  auto host = cgroup::detect_hierarchy();
  ASSERT_TRUE(host) << host.error().message();
  ASSERT_FALSE(host->unified.empty()) << "no cgroup2 mount on this host";
  auto v2 = host->version == cgroup::Version::v2 ? *host : cgroup::Hierarchy::v2_at(host->unified);
  std::string parent = "stack/rt-" + std::to_string(::getpid());
  std::string path = parent + "/into";
  auto manager = cgroup::open_cgroup(path, v2);
  ASSERT_TRUE(manager) << manager.error().message();
  ASSERT_TRUE((*manager)->create({}));
  util::UniqueFd dir = (*manager)->clone_target();
  ASSERT_TRUE(dir) << "a v2 cgroup offers its directory";
  bool joined = false;
  auto c = config(sh("grep '^0::' /proc/self/cgroup; sleep 100"));
  auto container = Container::create(c, {.join_cgroup = [&joined](pid_t) { joined = true; return util::ok(); },
                                         .clone_into_cgroup = dir.get()});
  ASSERT_TRUE(container) << container.error().message();
  EXPECT_FALSE(joined) << "CLONE_INTO_CGROUP (Linux 5.7) placed it; this kernel is newer";
  EXPECT_THAT(test::read_text("/proc/" + std::to_string(container->pid()) + "/cgroup"), HasSubstr("0::/" + path + "\n"));
  auto pids = (*manager)->pids();
  ASSERT_TRUE(pids);
  EXPECT_THAT(*pids, ::testing::ElementsAre(container->pid()));
  EXPECT_TRUE(container->remove());
  auto destroyed = (*manager)->destroy();
  EXPECT_TRUE(destroyed) << destroyed.error().message();
  ::rmdir((v2.unified + "/" + parent).c_str());
}

}  // namespace
}  // namespace stack::runtime::testing
