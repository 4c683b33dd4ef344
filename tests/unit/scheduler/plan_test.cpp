#include "scheduler/plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace stack::scheduler {
namespace {

// web depends on db; sidecar shares web's netns (implicit edge); job depends on db with restart.
spec::Stack make_stack() {
  spec::Stack stack;
  stack.name = "demo";
  auto add = [&](const std::string& name) -> spec::Service& {
    spec::Service s;
    s.name = name;
    s.image = "busybox";
    stack.services.push_back(s);
    return stack.services.back();
  };
  add("db");
  add("job").depends_on.push_back(spec::Dependency{"db", spec::Condition::service_started, true, true, {}});
  add("sidecar").network_mode = {spec::NetworkMode::Kind::service, "web"};
  add("web").depends_on.push_back(spec::Dependency{"db"});
  return stack;
}

class PlanTest : public ::testing::Test {
 protected:
  PlanTest() : graph_(*compile(make_stack())) {
    for (const char* name : {"db", "job", "sidecar", "web"}) input_.services.push_back({name, std::string("h-") + name, 1, ""});
    input_.project = "demo";
  }

  // Everything running with the desired hash.
  std::vector<ObservedContainer> converged() const {
    std::vector<ObservedContainer> out;
    for (const auto& s : input_.services) {
      for (int n = 1; n <= s.replicas; ++n) {
        out.push_back({container_name("demo", s, n), s.name, n, s.config_hash, false, true});
      }
    }
    return out;
  }

  Plan run(const std::vector<ObservedContainer>& observed) const { return plan(input_, graph_, observed); }

  DesiredService& service(const std::string& name) {
    return *std::find_if(input_.services.begin(), input_.services.end(), [&](auto& s) { return s.name == name; });
  }

  Graph graph_;
  PlanInput input_;
};

std::vector<StepKind> kinds(const Plan& p, const std::string& service) {
  std::vector<StepKind> out;
  for (const Step& s : p.services.at(service)) out.push_back(s.kind);
  return out;
}

TEST_F(PlanTest, EmptyHostCreatesEveryServiceInStartOrder) {
  Plan p = run({});
  EXPECT_EQ(p.order, (std::vector<std::string>{"db", "job", "web", "sidecar"}));
  for (const auto& name : p.order) EXPECT_EQ(kinds(p, name), std::vector<StepKind>{StepKind::create});
  EXPECT_EQ(p.services.at("web")[0].name, "demo-web-1");
  EXPECT_FALSE(p.converged());
}

TEST_F(PlanTest, ConvergedStackKeepsEverything) {
  Plan p = run(converged());
  EXPECT_TRUE(p.converged());
  EXPECT_TRUE(p.orphans.empty());
}

TEST_F(PlanTest, StoppedContainerIsStartedNotRecreated) {
  auto observed = converged();
  observed[0].running = false;  // db
  Plan p = run(observed);
  EXPECT_EQ(kinds(p, "db"), std::vector<StepKind>{StepKind::start});
  EXPECT_EQ(kinds(p, "web"), std::vector<StepKind>{StepKind::keep});
  EXPECT_EQ(kinds(p, "job"), std::vector<StepKind>{StepKind::keep});  // a start is no recreate
}

TEST_F(PlanTest, ChangedHashRecreatesThatServiceOnly) {
  auto observed = converged();
  service("web").config_hash = "h-web-2";
  Plan p = run(observed);
  EXPECT_EQ(kinds(p, "web"), std::vector<StepKind>{StepKind::recreate});
  EXPECT_EQ(p.services.at("web")[0].reason, "config changed");
  EXPECT_EQ(kinds(p, "db"), std::vector<StepKind>{StepKind::keep});
  EXPECT_EQ(kinds(p, "job"), std::vector<StepKind>{StepKind::keep});
  // sidecar lives in web's network namespace: it must follow.
  EXPECT_EQ(kinds(p, "sidecar"), std::vector<StepKind>{StepKind::recreate});
  EXPECT_EQ(p.services.at("sidecar")[0].reason, "dependency web recreated");
}

TEST_F(PlanTest, RestartTrueDependentFollowsItsDependency) {
  auto observed = converged();
  service("db").config_hash = "h-db-2";
  Plan p = run(observed);
  EXPECT_EQ(kinds(p, "db"), std::vector<StepKind>{StepKind::recreate});
  EXPECT_EQ(kinds(p, "job"), std::vector<StepKind>{StepKind::recreate});
  EXPECT_EQ(kinds(p, "web"), std::vector<StepKind>{StepKind::keep});  // plain depends_on: kept
}

TEST_F(PlanTest, ForceRecreatesAllAndNeverRecreatesNone) {
  input_.recreate = RecreatePolicy::force;
  Plan forced = run(converged());
  for (const auto& name : forced.order) EXPECT_EQ(kinds(forced, name), std::vector<StepKind>{StepKind::recreate});
  input_.recreate = RecreatePolicy::never;
  auto observed = converged();
  service("web").config_hash = "changed";
  Plan never = run(observed);
  EXPECT_TRUE(never.converged());
}

TEST_F(PlanTest, ScaleUpCreatesAndScaleDownRemovesHighestNumbers) {
  auto one = converged();
  service("web").replicas = 3;
  Plan up = run(one);
  EXPECT_EQ(kinds(up, "web"), (std::vector<StepKind>{StepKind::keep, StepKind::create, StepKind::create}));
  EXPECT_EQ(up.services.at("web")[2].name, "demo-web-3");
  service("web").replicas = 1;
  auto three = converged();
  three.push_back({"demo-web-2", "web", 2, "h-web", false, true});
  three.push_back({"demo-web-3", "web", 3, "h-web", false, false});
  Plan down = run(three);
  EXPECT_EQ(kinds(down, "web"), (std::vector<StepKind>{StepKind::remove, StepKind::remove, StepKind::keep}));
  EXPECT_EQ(down.services.at("web")[0].name, "demo-web-2");
  EXPECT_EQ(down.services.at("web")[0].reason, "scaled down");
}

TEST_F(PlanTest, MissingReplicaInTheMiddleIsRecreatedWithItsNumber) {
  auto observed = converged();
  service("db").replicas = 3;
  observed.push_back({"demo-db-3", "db", 3, "h-db", false, true});
  Plan p = run(observed);
  ASSERT_EQ(p.services.at("db").size(), 3u);
  EXPECT_EQ(p.services.at("db")[1].kind, StepKind::create);
  EXPECT_EQ(p.services.at("db")[1].name, "demo-db-2");
}

TEST_F(PlanTest, OrphansAreReportedAndRemovedOnlyWhenAsked) {
  auto observed = converged();
  observed.push_back({"demo-old-1", "old", 1, "h", false, true});
  Plan kept = run(observed);
  ASSERT_EQ(kept.orphans.size(), 1u);
  EXPECT_EQ(kept.orphans[0].kind, StepKind::keep);
  EXPECT_TRUE(kept.converged());
  input_.remove_orphans = true;
  Plan removed = run(observed);
  EXPECT_EQ(removed.orphans[0].kind, StepKind::remove);
  EXPECT_FALSE(removed.converged());
}

TEST_F(PlanTest, OneOffContainersAreNeitherReplicasNorOrphans) {
  auto observed = converged();
  observed.push_back({"demo-web-run-1a2b", "web", 1, "h-web", true, true});
  observed.push_back({"demo-old-run-1", "old", 1, "h", true, true});
  Plan p = run(observed);
  EXPECT_TRUE(p.converged());
  EXPECT_TRUE(p.orphans.empty());
}

TEST_F(PlanTest, TargetsLimitTheServicesTouched) {
  input_.targets = {"web"};
  Plan p = run({});
  EXPECT_EQ(p.order, std::vector<std::string>{"web"});
}

TEST_F(PlanTest, ContainerNameChangeRecreatesUnderTheNewName) {
  auto observed = converged();
  service("db").container_name = "database";
  Plan p = run(observed);
  ASSERT_EQ(kinds(p, "db"), std::vector<StepKind>{StepKind::recreate});
  EXPECT_EQ(p.services.at("db")[0].old_name, "demo-db-1");
  EXPECT_EQ(p.services.at("db")[0].name, "database");
}

TEST_F(PlanTest, DuplicateNumbersKeepOneAndRemoveTheRest) {
  auto observed = converged();
  observed.push_back({"demo-web-1-copy", "web", 1, "h-web", false, true});
  Plan p = run(observed);
  EXPECT_EQ(kinds(p, "web"), (std::vector<StepKind>{StepKind::remove, StepKind::keep}));
}

// The daemon's resync (leave_exited): what ended is its restart policy's business.
struct ResyncCase {
  Ended ended;
  bool restarts;
  StepKind expected;
  const char* reason;
};

class ResyncTest : public PlanTest, public ::testing::WithParamInterface<ResyncCase> {};

TEST_P(ResyncTest, AContainerThatEndedFollowsItsPolicy) {
  const ResyncCase& c = GetParam();
  input_.leave_exited = true;
  service("db").restarts = c.restarts;
  auto observed = converged();
  observed[0].running = false;  // db
  observed[0].ended = c.ended;
  Plan p = run(observed);
  ASSERT_EQ(p.services.at("db").size(), 1u);
  EXPECT_EQ(p.services.at("db")[0].kind, c.expected);
  EXPECT_EQ(p.services.at("db")[0].reason, c.reason);
  EXPECT_EQ(kinds(p, "web"), std::vector<StepKind>{StepKind::keep});  // a start recreates nothing
}

INSTANTIATE_TEST_SUITE_P(
    Plan, ResyncTest,
    ::testing::Values(ResyncCase{Ended::by_itself, false, StepKind::keep, "exited"},
                      ResyncCase{Ended::by_itself, true, StepKind::keep, "exited"},  // its shim gave up
                      ResyncCase{Ended::by_user, true, StepKind::keep, "stopped by the user"},
                      ResyncCase{Ended::shim_died, true, StepKind::start, "its shim died"},
                      ResyncCase{Ended::shim_died, false, StepKind::keep, "its shim died (restart: no)"},
                      ResyncCase{Ended::not_ended, false, StepKind::start, "created, not started"}));

TEST_F(PlanTest, UpStartsWhatEndedWhateverItsPolicy) {
  for (Ended ended : {Ended::by_itself, Ended::by_user, Ended::shim_died}) {
    auto observed = converged();
    observed[0].running = false;
    observed[0].ended = ended;
    EXPECT_EQ(kinds(run(observed), "db"), std::vector<StepKind>{StepKind::start});
  }
}

TEST_F(PlanTest, AResyncStillRecreatesWhatChangedAndCreatesWhatIsMissing) {
  input_.leave_exited = true;
  auto observed = converged();
  observed[0].running = false;
  observed[0].ended = Ended::by_itself;
  service("db").config_hash = "h-db-2";
  observed.erase(observed.begin() + 3);  // web, gone
  Plan p = run(observed);
  EXPECT_EQ(kinds(p, "db"), std::vector<StepKind>{StepKind::recreate});
  EXPECT_EQ(kinds(p, "web"), std::vector<StepKind>{StepKind::create});
}

}  // namespace
}  // namespace stack::scheduler
