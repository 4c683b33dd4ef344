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

}  // namespace
}  // namespace stack::runtime::testing
