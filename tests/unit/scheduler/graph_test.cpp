#include "scheduler/graph.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>

namespace stack::scheduler {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Names = std::vector<std::string>;

// A stack from "name: dep dep ..." lines; the model keeps services sorted, so sort here too.
spec::Stack make_stack(std::initializer_list<std::pair<std::string, Names>> services) {
  spec::Stack stack;
  stack.name = "demo";
  for (const auto& [name, deps] : services) {
    spec::Service service;
    service.name = name;
    service.image = "busybox";
    for (const std::string& dep : deps) service.depends_on.push_back(spec::Dependency{dep});
    stack.services.push_back(service);
  }
  std::sort(stack.services.begin(), stack.services.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return stack;
}

spec::Service& service(spec::Stack& stack, std::string_view name) {
  return *std::find_if(stack.services.begin(), stack.services.end(),
                       [&](const auto& s) { return s.name == name; });
}

Graph compile_ok(const spec::Stack& stack) {
  auto graph = compile(stack);
  EXPECT_TRUE(graph.has_value()) << (graph ? "" : graph.error().message());
  return graph ? std::move(graph).value() : Graph{};
}

TEST(GraphTest, EmptyStack) {
  Graph graph = compile_ok(spec::Stack{});
  EXPECT_EQ(graph.size(), 0u);
  EXPECT_THAT(graph.start_order(), IsEmpty());
  EXPECT_THAT(graph.waves(), IsEmpty());
}

TEST(GraphTest, IndependentServicesFormOneWaveSortedByName) {
  Graph graph = compile_ok(make_stack({{"web", {}}, {"cache", {}}, {"db", {}}}));
  EXPECT_THAT(graph.start_order(), ElementsAre("cache", "db", "web"));
  EXPECT_THAT(graph.waves(), ElementsAre(Names{"cache", "db", "web"}));
  EXPECT_THAT(graph.shutdown_order(), ElementsAre("web", "db", "cache"));
}

TEST(GraphTest, ChainIsOneServicePerWave) {
  Graph graph = compile_ok(make_stack({{"web", {"api"}}, {"api", {"db"}}, {"db", {}}}));
  EXPECT_THAT(graph.start_order(), ElementsAre("db", "api", "web"));
  EXPECT_THAT(graph.waves(), ElementsAre(Names{"db"}, Names{"api"}, Names{"web"}));
  EXPECT_THAT(graph.shutdown_order(), ElementsAre("web", "api", "db"));
}

TEST(GraphTest, Diamond) {
  Graph graph = compile_ok(
      make_stack({{"web", {"api", "auth"}}, {"api", {"db"}}, {"auth", {"db"}}, {"db", {}}}));
  EXPECT_THAT(graph.start_order(), ElementsAre("db", "api", "auth", "web"));
  EXPECT_THAT(graph.waves(), ElementsAre(Names{"db"}, Names{"api", "auth"}, Names{"web"}));
  EXPECT_THAT(graph.direct_dependents("db"), ElementsAre("api", "auth"));
  auto dependents = graph.dependents_of("db");
  ASSERT_TRUE(dependents.has_value());
  EXPECT_THAT(*dependents, ElementsAre("api", "auth", "web"));
}

TEST(GraphTest, WaveIsOnePastTheLatestDependency) {
  // "web" needs both a deep chain and a root: it waits for the deepest one.
  Graph graph = compile_ok(
      make_stack({{"web", {"a", "c"}}, {"c", {"b"}}, {"b", {"a"}}, {"a", {}}, {"z", {}}}));
  EXPECT_THAT(graph.waves(),
              ElementsAre(Names{"a", "z"}, Names{"b"}, Names{"c"}, Names{"web"}));
}

TEST(GraphTest, EveryWaveOnlyNeedsEarlierWaves) {
  Graph graph = compile_ok(make_stack({{"a", {"d", "e"}}, {"b", {"a"}}, {"c", {}}, {"d", {"c"}},
                                       {"e", {}}, {"f", {"b", "e"}}}));
  std::set<std::string> started;
  for (const Names& wave : graph.waves()) {
    for (const std::string& name : wave) {
      for (const Edge& edge : graph.dependencies(name)) EXPECT_EQ(started.count(edge.service), 1u);
    }
    started.insert(wave.begin(), wave.end());
  }
  EXPECT_EQ(started.size(), 6u);
}

TEST(GraphTest, EdgesCarryConditionRequiredAndRestart) {
  spec::Stack stack = make_stack({{"web", {}}, {"db", {}}});
  service(stack, "web").depends_on.push_back(
      spec::Dependency{"db", spec::Condition::service_healthy, false, true});
  Graph graph = compile_ok(stack);
  ASSERT_EQ(graph.dependencies("web").size(), 1u);
  EXPECT_EQ(graph.dependencies("web")[0],
            (Edge{"db", spec::Condition::service_healthy, false, true, false}));
  EXPECT_THAT(graph.dependencies("nope"), IsEmpty());
}

TEST(GraphTest, NetworkModeServiceIsAnImplicitStartedDependency) {
  spec::Stack stack = make_stack({{"sidecar", {}}, {"vpn", {}}});
  service(stack, "sidecar").network_mode = {spec::NetworkMode::Kind::service, "vpn"};
  Graph graph = compile_ok(stack);
  EXPECT_THAT(graph.start_order(), ElementsAre("vpn", "sidecar"));
  ASSERT_EQ(graph.dependencies("sidecar").size(), 1u);
  const Edge& edge = graph.dependencies("sidecar")[0];
  EXPECT_EQ(edge.condition, spec::Condition::service_started);
  EXPECT_TRUE(edge.implicit);
  EXPECT_TRUE(edge.restart);
}

TEST(GraphTest, WrittenDependsOnWinsOverNetworkModeEdge) {
  spec::Stack stack = make_stack({{"sidecar", {}}, {"vpn", {}}});
  service(stack, "sidecar").network_mode = {spec::NetworkMode::Kind::service, "vpn"};
  service(stack, "sidecar").depends_on.push_back(
      spec::Dependency{"vpn", spec::Condition::service_healthy});
  Graph graph = compile_ok(stack);
  ASSERT_EQ(graph.dependencies("sidecar").size(), 1u);
  EXPECT_EQ(graph.dependencies("sidecar")[0].condition, spec::Condition::service_healthy);
  EXPECT_FALSE(graph.dependencies("sidecar")[0].implicit);
}

TEST(GraphTest, UnknownRequiredDependencyIsAnError) {
  auto graph = compile(make_stack({{"web", {"db"}}}));
  ASSERT_FALSE(graph.has_value());
  EXPECT_EQ(graph.error().message(), "service 'web' depends on unknown service 'db'");
}

TEST(GraphTest, UnknownOptionalDependencyIsDropped) {
  spec::Stack stack = make_stack({{"web", {}}});
  service(stack, "web").depends_on.push_back(
      spec::Dependency{"debug", spec::Condition::service_started, false});
  Graph graph = compile_ok(stack);
  EXPECT_THAT(graph.dependencies("web"), IsEmpty());
}

TEST(GraphTest, UnknownNetworkModeServiceIsAnError) {
  spec::Stack stack = make_stack({{"web", {}}});
  service(stack, "web").network_mode = {spec::NetworkMode::Kind::service, "vpn"};
  auto graph = compile(stack);
  ASSERT_FALSE(graph.has_value());
  EXPECT_THAT(graph.error().message(), HasSubstr("unknown service 'vpn'"));
}

TEST(GraphTest, CycleIsNamedFromItsSmallestService) {
  auto graph = compile(make_stack({{"web", {"api"}}, {"api", {"db"}}, {"db", {"web"}}}));
  ASSERT_FALSE(graph.has_value());
  EXPECT_EQ(graph.error().message(), "dependency cycle: api -> db -> web -> api");
}

TEST(GraphTest, CycleBehindAnAcyclicPrefix) {
  // "app" is stuck only because it waits on the cycle; the message names the cycle alone.
  auto graph = compile(make_stack(
      {{"app", {"x"}}, {"x", {"y"}}, {"y", {"x"}}, {"base", {}}, {"z", {"base"}}}));
  ASSERT_FALSE(graph.has_value());
  EXPECT_EQ(graph.error().message(), "dependency cycle: x -> y -> x");
}

TEST(GraphTest, SelfCycle) {
  auto graph = compile(make_stack({{"web", {"web"}}, {"db", {}}}));
  ASSERT_FALSE(graph.has_value());
  EXPECT_EQ(graph.error().message(), "dependency cycle: web -> web");
}

TEST(GraphTest, NetworkModeCycle) {
  spec::Stack stack = make_stack({{"a", {"b"}}, {"b", {}}});
  service(stack, "b").network_mode = {spec::NetworkMode::Kind::service, "a"};
  auto graph = compile(stack);
  ASSERT_FALSE(graph.has_value());
  EXPECT_EQ(graph.error().message(), "dependency cycle: a -> b -> a");
}

TEST(GraphTest, SubsetAddsTransitiveDependenciesOnly) {
  Graph graph = compile_ok(make_stack(
      {{"web", {"api"}}, {"api", {"db"}}, {"db", {}}, {"worker", {"queue"}}, {"queue", {}}}));
  auto sub = graph.subset({"api"});
  ASSERT_TRUE(sub.has_value());
  EXPECT_THAT(sub->services(), ElementsAre("api", "db"));
  EXPECT_THAT(sub->start_order(), ElementsAre("db", "api"));
  // dependents are recomputed inside the subset: "web" is not part of it
  EXPECT_THAT(sub->direct_dependents("api"), IsEmpty());
}

TEST(GraphTest, SubsetOfSeveralServicesAndDuplicates) {
  Graph graph = compile_ok(make_stack(
      {{"web", {"api"}}, {"api", {"db"}}, {"db", {}}, {"worker", {"queue"}}, {"queue", {}}}));
  auto sub = graph.subset({"worker", "api", "worker"});
  ASSERT_TRUE(sub.has_value());
  EXPECT_THAT(sub->waves(), ElementsAre(Names{"db", "queue"}, Names{"api", "worker"}));
  auto none = graph.subset({});
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->size(), 0u);
}

TEST(GraphTest, SubsetRejectsUnknownNames) {
  Graph graph = compile_ok(make_stack({{"web", {}}}));
  auto sub = graph.subset({"web", "nope"});
  ASSERT_FALSE(sub.has_value());
  EXPECT_EQ(sub.error().code(), util::Errc::not_found);
  EXPECT_EQ(sub.error().message(), "unknown service 'nope'");
}

TEST(GraphTest, DependentsOfChainAndLeaf) {
  Graph graph = compile_ok(make_stack({{"web", {"api"}}, {"api", {"db"}}, {"db", {}}, {"x", {}}}));
  EXPECT_THAT(*graph.dependents_of("db"), ElementsAre("api", "web"));
  EXPECT_THAT(*graph.dependents_of("web"), IsEmpty());
  EXPECT_FALSE(graph.dependents_of("nope").has_value());
}

TEST(GraphTest, DeterministicWhateverTheInputOrder) {
  auto shuffled = [](bool reverse) {
    spec::Stack stack = make_stack({{"e", {"a"}}, {"d", {"a", "b"}}, {"c", {}}, {"b", {"c"}},
                                    {"a", {}}, {"f", {"e", "d"}}});
    if (reverse) {
      std::reverse(stack.services.begin(), stack.services.end());
      for (auto& s : stack.services) std::reverse(s.depends_on.begin(), s.depends_on.end());
    }
    return compile_ok(stack);
  };
  Graph a = shuffled(false);
  Graph b = shuffled(true);
  EXPECT_EQ(a.start_order(), b.start_order());
  EXPECT_EQ(a.waves(), b.waves());
  EXPECT_THAT(a.start_order(), ElementsAre("a", "c", "b", "d", "e", "f"));
  EXPECT_EQ(a.dependencies("d"), b.dependencies("d"));
}

TEST(GraphTest, DuplicateServiceNameIsAnError) {
  auto graph = compile(make_stack({{"web", {}}, {"web", {}}}));
  ASSERT_FALSE(graph.has_value());
  EXPECT_THAT(graph.error().message(), HasSubstr("duplicate service 'web'"));
}

}  // namespace
}  // namespace stack::scheduler
