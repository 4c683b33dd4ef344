// The engine as an executor, over fakes of the runtime and of the host's network (fake_host.hpp):
// which host actions an `up` takes and in what order, the undo of a failed creation, `down`, the
// event-driven wait for a dependency, and the bound on threads. No root, no kernel objects; the
// state root (project record, IPAM, etc files) is a temporary directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <thread>

#include "net/ipam_store.hpp"
#include "net/naming.hpp"
#include "scheduler/engine.hpp"
#include "scheduler/hooks.hpp"
#include "scheduler/project_state.hpp"
#include "spec/load.hpp"
#include "support/rootfs.hpp"
#include "unit/scheduler/fake_host.hpp"

namespace stack::scheduler {
namespace {

using ::testing::HasSubstr;
using testing::FakeHostNetwork;
using testing::FakeRuntime;
using testing::Journal;

class ExecutorTest : public ::testing::Test {
 protected:
  spec::Stack load(const std::string& yaml) {
    const std::string file = dir_ / "stack.yaml";
    EXPECT_TRUE(test::write_text(file, yaml));
    spec::LoadOptions options;
    options.files = {file};
    auto outcome = spec::load(options);
    EXPECT_TRUE(outcome.stack.has_value()) << outcome.diagnostics.format();
    return *outcome.stack;
  }
  std::set<std::string> recorded_containers(const std::string& project) {
    ProjectState state(root(), project);
    EXPECT_TRUE(state.load());
    return state.snapshot().containers;
  }
  std::map<std::string, util::Ipv4> addresses(const std::string& network) {
    net::IpamStore ipam(root());
    auto stored = ipam.load(network);
    EXPECT_TRUE(stored);
    return stored && *stored ? (*stored)->allocations : std::map<std::string, util::Ipv4>{};
  }
  std::string root() const { return dir_ / "root"; }
  std::string netns(const std::string& container) const { return root() + "/run/netns/" + container; }

  test::TempDir dir_{"stack-executor"};
  Journal journal_;
  FakeRuntime runtime_{journal_};
  FakeHostNetwork host_{journal_};
  Engine engine_{EngineOptions{.root = root(), .binary = "/nonexistent/stack"}, runtime_, host_,
                 [](const spec::Service&) -> util::Result<ResolvedImage> { return ResolvedImage{}; }, nullptr};
};

constexpr const char* kTwoTier = R"(
name: exec
services:
  db:
    image: busybox
    command: sleep 1000
  web:
    image: busybox
    command: sleep 1000
    depends_on: [db]
    ports: ["8080:80"]
)";

TEST_F(ExecutorTest, UpMakesTheNetworkThenEachContainerInDependencyOrder) {
  spec::Stack stack = load(kTwoTier);
  ASSERT_TRUE(engine_.up(stack, {}));

  const std::string db_veth = net::host_veth_name("exec-db-1", "exec_default");
  const std::string web_veth = net::host_veth_name("exec-web-1", "exec_default");
  // The bridge first; each container's namespace, then its veth, then the container; db before web.
  long bridge = journal_.index_of("bridge exec_default");
  long db_netns = journal_.index_of("netns exec-db-1");
  long db_attach = journal_.index_of("attach " + db_veth);
  long db_create = journal_.index_of("create exec-db-1");
  long web_netns = journal_.index_of("netns exec-web-1");
  long web_attach = journal_.index_of("attach " + web_veth);
  long web_create = journal_.index_of("create exec-web-1");
  EXPECT_EQ(bridge, 0);
  EXPECT_LT(bridge, db_netns);
  EXPECT_LT(db_netns, db_attach);
  EXPECT_LT(db_attach, db_create);
  EXPECT_LT(db_create, web_netns);
  EXPECT_LT(web_netns, web_attach);
  EXPECT_LT(web_attach, web_create);
  EXPECT_GE(journal_.index_of("firewall " + net::bridge_name("exec_default")), 0);
  EXPECT_GE(journal_.index_of("dns exec_default"), 0);

  EXPECT_EQ(runtime_.size(), 2u);
  EXPECT_EQ(host_.netns, (std::set<std::string>{netns("exec-db-1"), netns("exec-web-1")}));
  EXPECT_EQ(host_.veths.size(), 2u);
  EXPECT_EQ(addresses("exec_default").size(), 2u);
  EXPECT_EQ(recorded_containers("exec"), (std::set<std::string>{"exec-db-1", "exec-web-1"}));
  auto config = runtime_.config("exec-web-1");
  ASSERT_TRUE(config);
  ASSERT_EQ(config->ports.size(), 1u);
  EXPECT_EQ(config->ports[0].host_port, 8080);

}

TEST_F(ExecutorTest, DriftIsRepairedWithoutRestartingContainers) {
  spec::Stack stack = load(kTwoTier);
  ASSERT_TRUE(engine_.up(stack, {}));
  const std::string bridge = net::bridge_name("exec_default");
  // Deleted from outside: the bridge (its ports go with it) and the DNS server.
  host_.bridges.erase(bridge);
  host_.veths.clear();
  host_.dns_servers.clear();
  journal_.clear();
  ASSERT_TRUE(engine_.up(stack, {}));
  const std::string db_veth = net::host_veth_name("exec-db-1", "exec_default");
  const std::string web_veth = net::host_veth_name("exec-web-1", "exec_default");
  EXPECT_LT(journal_.index_of("bridge exec_default"), journal_.index_of("attach " + db_veth));
  EXPECT_GE(journal_.index_of("attach " + web_veth), 0);
  EXPECT_GE(journal_.index_of("dns exec_default"), 0);
  EXPECT_EQ(journal_.index_of("firewall " + bridge), -1);  // it was still there
  EXPECT_EQ(journal_.index_of("create exec-db-1"), -1);    // no container was made again
  EXPECT_EQ(host_.veths.size(), 2u);

  // Converged: the next pass makes no host call but the bridge's idempotent ensure.
  journal_.clear();
  ASSERT_TRUE(engine_.up(stack, {}));
  EXPECT_EQ(journal_.entries(), std::vector<std::string>{"bridge exec_default"});
}

TEST_F(ExecutorTest, AFailedStartUndoesEachStepInReverse) {
  spec::Stack stack = load(kTwoTier);
  journal_.fail("create exec-web-1");
  auto up = engine_.up(stack, {});
  ASSERT_FALSE(up);
  EXPECT_THAT(up.error().message(), HasSubstr("container exec-web-1"));
  EXPECT_THAT(up.error().message(), HasSubstr("injected failure"));

  // What web's creation made is gone, in the reverse order of its making; db is untouched.
  const std::string web_veth = net::host_veth_name("exec-web-1", "exec_default");
  long failed = journal_.index_of("create exec-web-1");
  long detach = journal_.index_of("detach " + web_veth);
  long remove_netns = journal_.index_of("remove netns exec-web-1");
  EXPECT_LT(failed, detach);
  EXPECT_LT(detach, remove_netns);
  EXPECT_EQ(host_.netns, (std::set<std::string>{netns("exec-db-1")}));
  EXPECT_EQ(host_.veths.size(), 1u);
  EXPECT_EQ(addresses("exec_default").count("exec-web-1"), 0u);
  EXPECT_EQ(recorded_containers("exec"), (std::set<std::string>{"exec-db-1"}));
  EXPECT_FALSE(std::filesystem::exists(project_dir(root(), "exec") + "/etc/exec-web-1"));
  EXPECT_TRUE(runtime_.state("exec-db-1").value().has_value());

  // Fixed, the same file comes up.
  journal_.heal("create exec-web-1");
  ASSERT_TRUE(engine_.up(stack, {}));
  EXPECT_EQ(runtime_.size(), 2u);
}

TEST_F(ExecutorTest, AFailedAttachUndoesTheNamespaceAndTheAddress) {
  spec::Stack stack = load(kTwoTier);
  const std::string web_veth = net::host_veth_name("exec-web-1", "exec_default");
  journal_.fail("attach " + web_veth);
  ASSERT_FALSE(engine_.up(stack, {}));
  EXPECT_LT(journal_.index_of("attach " + web_veth), journal_.index_of("remove netns exec-web-1"));
  EXPECT_EQ(journal_.index_of("detach " + web_veth), -1);  // never made, never undone
  EXPECT_EQ(journal_.index_of("create exec-web-1"), -1);
  EXPECT_EQ(addresses("exec_default").count("exec-web-1"), 0u);
  EXPECT_EQ(recorded_containers("exec"), (std::set<std::string>{"exec-db-1"}));
}

TEST_F(ExecutorTest, AnUndoThatFailsLeavesTheRestRecordedForDown) {
  spec::Stack stack = load(kTwoTier);
  const std::string web_veth = net::host_veth_name("exec-web-1", "exec_default");
  journal_.fail("create exec-web-1");
  journal_.fail("detach " + web_veth);
  auto up = engine_.up(stack, {});
  ASSERT_FALSE(up);
  EXPECT_THAT(up.error().message(), HasSubstr("undoing its veth on exec_default failed too"));
  // The unwinding stopped at the veth: its namespace, address and record are left, for `down`.
  EXPECT_TRUE(host_.netns.count(netns("exec-web-1")));
  EXPECT_EQ(addresses("exec_default").count("exec-web-1"), 1u);
  EXPECT_TRUE(recorded_containers("exec").count("exec-web-1"));

  journal_.heal("detach " + web_veth);
  ASSERT_TRUE(engine_.down("exec", &stack, {}));
  EXPECT_TRUE(host_.empty());
  EXPECT_EQ(runtime_.size(), 0u);
}

TEST_F(ExecutorTest, DownRemovesEverythingUpMade) {
  spec::Stack stack = load(kTwoTier);
  ASSERT_TRUE(engine_.up(stack, {}));
  ASSERT_TRUE(engine_.down("exec", &stack, {}));
  EXPECT_TRUE(host_.empty());
  EXPECT_EQ(runtime_.size(), 0u);
  net::IpamStore ipam(root());
  auto stored = ipam.load("exec_default");
  ASSERT_TRUE(stored);
  EXPECT_FALSE(stored->has_value());
  EXPECT_FALSE(ProjectState(root(), "exec").exists());
  // Dependents stop first.
  EXPECT_LT(journal_.index_of("remove exec-web-1"), journal_.index_of("remove exec-db-1"));
}

// app waits for migrate, a one-shot service, to complete successfully.
constexpr const char* kMigrateThenApp = R"(
name: exec
services:
  migrate:
    image: busybox
    command: "true"
  app:
    image: busybox
    command: sleep 1000
    depends_on:
      migrate:
        condition: service_completed_successfully
)";

TEST_F(ExecutorTest, ADependentStartsOnceItsDependencyCompletedWithoutPolling) {
  spec::Stack stack = load(kMigrateThenApp);
  auto up = std::async(std::launch::async, [&] { return engine_.up(stack, {}); });
  runtime_.await_created("exec-migrate-1");
  (void)journal_.record("finished exec-migrate-1");
  runtime_.finish("exec-migrate-1", 0);
  ASSERT_TRUE(up.get());
  EXPECT_LT(journal_.index_of("finished exec-migrate-1"), journal_.index_of("create exec-app-1"));
}

TEST_F(ExecutorTest, AFailedDependencyStartsNothingAfterIt) {
  spec::Stack stack = load(kMigrateThenApp);
  auto up = std::async(std::launch::async, [&] { return engine_.up(stack, {}); });
  runtime_.await_created("exec-migrate-1");
  runtime_.finish("exec-migrate-1", 3);
  auto result = up.get();
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message(), HasSubstr("didn't complete successfully"));
  EXPECT_EQ(journal_.index_of("create exec-app-1"), -1);
  EXPECT_FALSE(recorded_containers("exec").count("exec-app-1"));
  EXPECT_EQ(addresses("exec_default").count("exec-app-1"), 0u);
}

// With the stack, as compose: restart and start go dependencies first, stop dependents
// first; without them (no stack file) every container at once.
TEST_F(ExecutorTest, LifecycleVerbsKeepTheDependencyOrder) {
  spec::Stack stack = load(kTwoTier);
  ASSERT_TRUE(engine_.up(stack, {}));

  journal_.clear();
  ASSERT_TRUE(engine_.restart("exec", {}, std::nullopt, &stack));
  EXPECT_LT(journal_.index_of("start exec-db-1"), journal_.index_of("stop exec-web-1"));
  EXPECT_LT(journal_.index_of("stop exec-web-1"), journal_.index_of("start exec-web-1"));

  journal_.clear();
  ASSERT_TRUE(engine_.stop("exec", {}, std::nullopt, &stack));
  EXPECT_GE(journal_.index_of("stop exec-db-1"), 0);
  EXPECT_LT(journal_.index_of("stop exec-web-1"), journal_.index_of("stop exec-db-1"));

  journal_.clear();
  ASSERT_TRUE(engine_.start("exec", {}, &stack));
  EXPECT_GE(journal_.index_of("start exec-web-1"), 0);
  EXPECT_LT(journal_.index_of("start exec-db-1"), journal_.index_of("start exec-web-1"));
  ASSERT_TRUE(engine_.down("exec", &stack, {}));
}

constexpr const char* kHooked = R"(
name: exec
services:
  web:
    image: busybox
    command: sleep 1000
    post_start:
      - command: [warm, up]
    pre_stop:
      - command: [drain]
        environment: {MODE: fast}
)";

// post_start after the start (up, start, restart); pre_stop before the stop (stop, restart,
// down) of a running container; a failed pre_stop does not keep the container.
TEST_F(ExecutorTest, LifecycleHooksRunAroundStartsAndStops) {
  spec::Stack stack = load(kHooked);
  ASSERT_TRUE(engine_.up(stack, {}));
  EXPECT_LT(journal_.index_of("start exec-web-1"), journal_.index_of("exec exec-web-1 warm up"));

  journal_.clear();
  ASSERT_TRUE(engine_.restart("exec", {}, std::nullopt, &stack));
  EXPECT_LT(journal_.index_of("exec exec-web-1 drain"), journal_.index_of("stop exec-web-1"));
  EXPECT_LT(journal_.index_of("start exec-web-1"), journal_.index_of("exec exec-web-1 warm up"));

  journal_.clear();
  ASSERT_TRUE(engine_.stop("exec", {}, std::nullopt));  // no stack file: no hooks
  EXPECT_EQ(journal_.index_of("exec exec-web-1 drain"), -1);
  runtime_.exec_exit["warm"] = 3;
  auto started = engine_.start("exec", {}, &stack);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message(), "services.web.post_start[0]: exited with code 3: ran warm up");

  runtime_.exec_exit["drain"] = 1;
  journal_.clear();
  ASSERT_TRUE(engine_.down("exec", &stack, {}));
  EXPECT_GE(journal_.index_of("exec exec-web-1 drain"), 0);
  EXPECT_TRUE(host_.empty());
}

TEST(Hooks, TheHooksSettingsGoOverTheContainers) {
  runtime::ContainerConfig c;
  c.env = {"PATH=/bin", "MODE=slow"};
  c.cwd = "/srv";
  c.user = "app";
  spec::LifecycleHook hook;
  hook.command = {"drain"};
  hook.environment = {{"MODE", "fast"}};
  hook.privileged = true;
  runtime::ExecConfig e = hook_exec(c, hook);
  EXPECT_EQ(e.env, (std::vector<std::string>{"PATH=/bin", "MODE=fast"}));
  EXPECT_EQ(e.cwd, "/srv");
  EXPECT_EQ(e.user, "app");
  EXPECT_TRUE(e.security.capabilities.privileged);
  hook.user = "root";
  hook.working_dir = "/";
  EXPECT_EQ(hook_exec(c, hook).user, "root");
  EXPECT_EQ(hook_exec(c, hook).cwd, "/");
}

TEST_F(ExecutorTest, ParallelWorkIsBoundedInThreads) {
  std::string yaml = "name: exec\nservices:\n  worker:\n    image: busybox\n    command: sleep 1000\n";
  spec::Stack stack = load(yaml);
  UpOptions options;
  options.scale["worker"] = 40;
  ASSERT_TRUE(engine_.up(stack, options));
  ASSERT_EQ(runtime_.size(), 40u);
  ASSERT_TRUE(engine_.stop("exec", {}, std::nullopt));
  EXPECT_GT(runtime_.max_stopping, 1);   // in parallel
  EXPECT_LE(runtime_.max_stopping, 16);  // but on a bounded pool
  ASSERT_TRUE(engine_.down("exec", &stack, {}));
  EXPECT_TRUE(host_.empty());
}

// A bridge of the network's name that this root has no record of is another root's: `up` refuses
// to adopt it (and starts nothing), and `down` leaves it alone.
TEST_F(ExecutorTest, ABridgeThatAnotherRootMadeIsNeitherAdoptedNorRemoved) {
  spec::Stack stack = load(kTwoTier);
  const std::string bridge = net::bridge_name("exec_default");
  host_.bridges.insert(bridge);

  auto up = engine_.up(stack, {});
  ASSERT_FALSE(up);
  EXPECT_THAT(up.error().message(), ::testing::HasSubstr("did not make it"));
  EXPECT_EQ(runtime_.size(), 0u);
  EXPECT_TRUE(host_.veths.empty());

  ASSERT_TRUE(engine_.down("exec", &stack, {}));
  EXPECT_EQ(host_.bridges, std::set<std::string>{bridge});
  EXPECT_EQ(journal_.index_of("remove bridge"), -1);
  EXPECT_EQ(journal_.index_of("remove firewall"), -1);
}

}  // namespace
}  // namespace stack::scheduler
