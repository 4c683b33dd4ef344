// stack watch's pure part: which rule a changed path triggers, where it maps in the container,
// what is ignored, and how changes are batched.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/watch_rules.hpp"

namespace stack::scheduler {
namespace {

using Action = spec::WatchRule::Action;
using ::testing::ElementsAre;

spec::WatchRule rule(std::string path, Action action, std::string target = "") {
  spec::WatchRule r;
  r.path = std::move(path);
  r.action = action;
  r.target = std::move(target);
  return r;
}

spec::Service service(std::string name, std::vector<spec::WatchRule> rules) {
  spec::Service s;
  s.name = std::move(name);
  s.watch = std::move(rules);
  return s;
}

std::vector<WatchMatcher> matchers(const spec::Service& s, const build::IgnoreRules* dockerignore = nullptr) {
  std::vector<WatchMatcher> out;
  for (size_t i = 0; i < s.watch.size(); ++i) {
    auto m = WatchMatcher::make(s, i, dockerignore);
    EXPECT_TRUE(m) << m.error().message();
    out.push_back(std::move(*m));
  }
  return out;
}

TEST(WatchRules, PathBelow) {
  EXPECT_EQ(path_below("/src", "/src"), ".");
  EXPECT_EQ(path_below("/src/", "/src/a/b"), "a/b");
  EXPECT_EQ(path_below("/", "/a"), "a");
  EXPECT_EQ(path_below("/src", "/srcx/a"), std::nullopt);
  EXPECT_EQ(path_below("/src", "/other"), std::nullopt);
}

TEST(WatchRules, ChangedPathMapsBelowTheTarget) {
  auto s = service("web", {rule("/p/html", Action::sync, "/var/www"), rule("/p/conf.ini", Action::sync, "/etc/app.ini")});
  auto m = matchers(s);
  EXPECT_EQ(m[0].map("/p/html/index.html"), "/var/www/index.html");
  EXPECT_EQ(m[0].map("/p/html/css/a.css"), "/var/www/css/a.css");
  EXPECT_EQ(m[0].map("/p/html"), "/var/www");
  EXPECT_EQ(m[0].map("/p/htmlx/a"), std::nullopt);
  EXPECT_EQ(m[1].map("/p/conf.ini"), "/etc/app.ini");
  auto root = service("web", {rule("/p", Action::sync, "/")});
  EXPECT_EQ(matchers(root)[0].map("/p/a"), "/a");
  auto restart = service("web", {rule("/p", Action::restart)});
  EXPECT_EQ(matchers(restart)[0].map("/p/a"), "");
}

TEST(WatchRules, IgnoreIncludeEditorFilesAndGit) {
  spec::WatchRule r = rule("/p", Action::sync, "/app");
  r.ignore = {"node_modules/", "*.log"};
  auto m = matchers(service("web", {r}))[0];
  EXPECT_TRUE(m.ignored("/p/node_modules/x/index.js"));
  EXPECT_TRUE(m.ignored("/p/debug.log"));
  EXPECT_FALSE(m.ignored("/p/sub/debug.log"));  // patterns are relative to the rule's path
  EXPECT_TRUE(m.ignored("/p/.main.c.swp"));
  EXPECT_TRUE(m.ignored("/p/sub/notes.txt~"));
  EXPECT_TRUE(m.ignored("/p/.git/index"));
  EXPECT_TRUE(m.ignored("/elsewhere/a"));
  EXPECT_FALSE(m.ignored("/p/main.c"));

  spec::WatchRule inc = rule("/p", Action::rebuild);
  inc.include = {"*.go"};
  auto only_go = matchers(service("api", {inc}))[0];
  EXPECT_FALSE(only_go.ignored("/p/main.go"));
  EXPECT_TRUE(only_go.ignored("/p/README.md"));
}

TEST(WatchRules, DockerignoreOfTheBuildContextApplies) {
  auto ignore = build::IgnoreRules::parse("tmp\n*.md\n!KEEP.md\n");
  ASSERT_TRUE(ignore);
  spec::Service s = service("api", {rule("/ctx/src", Action::rebuild), rule("/ctx", Action::sync, "/app")});
  s.build = spec::Build{};
  s.build->context = "/ctx";
  auto m = matchers(s, &*ignore);
  EXPECT_TRUE(m[1].ignored("/ctx/tmp/x"));
  EXPECT_TRUE(m[1].ignored("/ctx/README.md"));
  EXPECT_FALSE(m[1].ignored("/ctx/KEEP.md"));
  EXPECT_FALSE(m[0].ignored("/ctx/src/main.go"));
  EXPECT_FALSE(m[0].ignored("/ctx/src/tmp"));  // "tmp" is at the context's top only
}

TEST(WatchRules, BatchPlansEachServiceOnce) {
  spec::WatchRule exec = rule("/p/conf", Action::sync_exec, "/etc/conf");
  exec.exec = spec::LifecycleHook{};
  auto web = service("web", {rule("/p/html", Action::sync, "/www"), rule("/p/html", Action::sync_restart, "/www2"), exec});
  auto api = service("api", {rule("/p/api", Action::rebuild), rule("/p/api/conf", Action::restart)});
  std::vector<WatchMatcher> rules = matchers(web);
  for (auto& m : matchers(api)) rules.push_back(std::move(m));
  auto plans = plan_watch_batch(rules, {"/p/html/a", "/p/html/b", "/p/conf/x", "/p/conf/x", "/p/api/conf/y", "/p/other"});
  ASSERT_EQ(plans.size(), 2u);
  EXPECT_EQ(plans[0].service, "api");
  EXPECT_TRUE(plans[0].rebuild);
  EXPECT_TRUE(plans[0].restart);
  EXPECT_TRUE(plans[0].sync.empty());
  EXPECT_EQ(plans[0].changes, 1u);
  EXPECT_EQ(plans[1].service, "web");
  EXPECT_FALSE(plans[1].rebuild);
  EXPECT_TRUE(plans[1].restart);
  EXPECT_THAT(plans[1].sync, ElementsAre(SyncPath{"/p/conf/x", "/etc/conf/x", 2}, SyncPath{"/p/html/a", "/www/a", 0},
                                         SyncPath{"/p/html/a", "/www2/a", 1}, SyncPath{"/p/html/b", "/www/b", 0},
                                         SyncPath{"/p/html/b", "/www2/b", 1}));
  EXPECT_THAT(plans[1].exec_rules, ElementsAre(2u));
  EXPECT_EQ(plans[1].changes, 4u);  // "/p/conf/x" twice: the batch dedups, the planner counts
}

TEST(WatchRules, IgnoredChangesPlanNothing) {
  spec::WatchRule r = rule("/p", Action::sync, "/app");
  r.ignore = {"*.tmp"};
  auto plans = plan_watch_batch(matchers(service("web", {r})), {"/p/a.tmp", "/p/.a.swp"});
  EXPECT_TRUE(plans.empty());
}

TEST(WatchRules, BatchIsDueAfterTheQuietPeriod) {
  using namespace std::chrono_literals;
  ChangeBatch batch(500ms);
  ChangeBatch::Clock::time_point t0{};
  EXPECT_EQ(batch.due(), std::nullopt);
  EXPECT_TRUE(batch.take(t0).empty());
  batch.add("/p/b", t0);
  batch.add("/p/a", t0 + 300ms);
  batch.add("/p/b", t0 + 400ms);
  EXPECT_EQ(batch.due(), t0 + 900ms);  // every change restarts the quiet period
  EXPECT_TRUE(batch.take(t0 + 899ms).empty());
  EXPECT_THAT(batch.take(t0 + 900ms), ElementsAre("/p/a", "/p/b"));
  EXPECT_EQ(batch.due(), std::nullopt);
}

}  // namespace
}  // namespace stack::scheduler
