// restart, healthcheck, depends_on, stop_signal, stop_grace_period and pull_policy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/normalize.hpp"
#include "spec/reader.hpp"
#include "unit/spec/normalize_fixture.hpp"

namespace stack::spec {
namespace {

using namespace std::chrono_literals;

using namespace stack::spec::testing;

TEST(NormalizeRestart, AllPolicies) {
  auto o = run("services:\n  a: {image: x, restart: no}\n  b: {image: x, restart: 'no'}\n"
               "  c: {image: x, restart: always}\n  d: {image: x, restart: on-failure}\n"
               "  e: {image: x, restart: 'on-failure:5'}\n  f: {image: x, restart: unless-stopped}\n"
               "  g: {image: x, restart: false}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  using K = RestartPolicy::Kind;
  EXPECT_EQ(o.service("a").restart.kind, K::no);
  EXPECT_EQ(o.service("b").restart.kind, K::no);
  EXPECT_EQ(o.service("c").restart.kind, K::always);
  EXPECT_EQ(o.service("d").restart.kind, K::on_failure);
  EXPECT_FALSE(o.service("d").restart.max_retries);
  EXPECT_EQ(o.service("e").restart.max_retries, 5);
  EXPECT_EQ(o.service("f").restart.kind, K::unless_stopped);
  EXPECT_EQ(o.service("g").restart.kind, K::no);
}

TEST(NormalizeRestart, Invalid) {
  auto o = run_service("    restart: sometimes\n");
  EXPECT_EQ(o.errors(), "stack.yaml:4:14: services.a.restart: \"sometimes\" is not a valid restart "
                        "policy (no, always, on-failure[:N], unless-stopped)");
  auto neg = run_service("    restart: on-failure:-1\n");
  EXPECT_FALSE(neg.stack);
}

TEST(NormalizeHealthOnFailure, ActionsAndTheirErrors) {
  auto o = run("services:\n  a: {image: x, x-health-on-failure: restart}\n  b: {image: x}\n"
               "  c: {image: x, x-health-on-failure: stop}\n  d: {image: x, x-other: {any: thing}}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service("a").health_on_failure, Service::HealthAction::restart);
  EXPECT_EQ(o.service("b").health_on_failure, Service::HealthAction::none);
  EXPECT_EQ(o.service("c").health_on_failure, Service::HealthAction::stop);
  auto bad = run_service("    x-health-on-failure: reboot\n");
  EXPECT_EQ(bad.errors(), "stack.yaml:4:26: services.a.x-health-on-failure: 'reboot' is not an action: use "
                          "none, kill, restart or stop");
}

TEST(NormalizeHealthcheck, StringTestIsShell) {
  auto o = run_service("    healthcheck:\n      test: curl -f http://localhost\n      interval: 1m30s\n"
                       "      timeout: 10s\n      start_period: 40s\n      start_interval: 5s\n      retries: 3\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const auto& hc = *o.service().healthcheck;
  EXPECT_THAT(hc.test, ::testing::ElementsAre("CMD-SHELL", "curl -f http://localhost"));
  EXPECT_EQ(hc.interval, Duration(90s));
  EXPECT_EQ(hc.timeout, Duration(10s));
  EXPECT_EQ(hc.start_period, Duration(40s));
  EXPECT_EQ(hc.start_interval, Duration(5s));
  EXPECT_EQ(hc.retries, 3);
  EXPECT_FALSE(hc.disable);
}

TEST(NormalizeHealthcheck, ListForms) {
  auto o = run("services:\n  a:\n    image: x\n    healthcheck: {test: [CMD, pg_isready, -U, pg]}\n"
               "  b:\n    image: x\n    healthcheck: {test: [CMD-SHELL, 'exit 0']}\n"
               "  c:\n    image: x\n    healthcheck: {test: [NONE]}\n"
               "  d:\n    image: x\n    healthcheck: {disable: true}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service("a").healthcheck->test, ::testing::ElementsAre("CMD", "pg_isready", "-U", "pg"));
  EXPECT_THAT(o.service("b").healthcheck->test, ::testing::ElementsAre("CMD-SHELL", "exit 0"));
  EXPECT_TRUE(o.service("c").healthcheck->disable);
  EXPECT_TRUE(o.service("d").healthcheck->disable);
  EXPECT_TRUE(o.service("d").healthcheck->test.empty());
}

TEST(NormalizeHealthcheck, Errors) {
  auto o = run_service("    healthcheck:\n      test: [RUN, x]\n      interval: 10\n      timeout: 0.5us\n"
                       "      retries: many\n      intervall: 5s\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:9:7: services.a.healthcheck: unknown key 'intervall' (did you mean 'interval'?)\n"
            "stack.yaml:5:14: services.a.healthcheck.test[0]: a test list must start with 'NONE', 'CMD' or 'CMD-SHELL'\n"
            "stack.yaml:6:17: services.a.healthcheck.interval: \"10\" is not a valid duration: missing unit\n"
            "stack.yaml:7:16: services.a.healthcheck.timeout: must be at least 1ms\n"
            "stack.yaml:8:16: services.a.healthcheck.retries: \"many\" is not a valid integer");
}

TEST(NormalizeHealthcheck, DisableWithTestConflicts) {
  auto o = run_service("    healthcheck: {test: [CMD, x], disable: true}\n");
  EXPECT_EQ(o.errors(), "stack.yaml:4:44: services.a.healthcheck.disable: cannot be combined with a 'test'");
  auto cmd = run_service("    healthcheck: {test: [CMD]}\n");
  EXPECT_EQ(cmd.errors(), "stack.yaml:4:25: services.a.healthcheck.test: 'CMD' needs a command");
}

TEST(NormalizeDependsOn, ListAndMap) {
  auto o = run("services:\n  web:\n    image: x\n    depends_on: [db, cache]\n"
               "  api:\n    image: x\n    depends_on:\n      db: {condition: service_healthy, restart: true}\n"
               "      migrate: {condition: service_completed_successfully, required: false}\n"
               "  db: {image: x}\n  cache: {image: x}\n  migrate: {image: x}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const auto& web = o.service("web").depends_on;
  ASSERT_EQ(web.size(), 2u);
  EXPECT_EQ(web[0].service, "cache");  // sorted by service
  EXPECT_EQ(web[1].service, "db");
  EXPECT_EQ(web[1].condition, Condition::service_started);
  EXPECT_TRUE(web[1].required);
  EXPECT_EQ(web[1].location.mark.line, 4);
  const auto& api = o.service("api").depends_on;
  ASSERT_EQ(api.size(), 2u);
  EXPECT_EQ(api[0].condition, Condition::service_healthy);
  EXPECT_TRUE(api[0].restart);
  EXPECT_EQ(api[0].location.path, "services.api.depends_on.db");
  EXPECT_EQ(api[1].condition, Condition::service_completed_successfully);
  EXPECT_FALSE(api[1].required);
}

TEST(NormalizeDependsOn, Errors) {
  auto o = run_service("    depends_on:\n      db: {condition: service_ready}\n      b: {requird: true}\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:5:23: services.a.depends_on.db.condition: unknown condition 'service_ready' "
            "(service_started, service_healthy or service_completed_successfully)\n"
            "stack.yaml:6:11: services.a.depends_on.b: unknown key 'requird' (did you mean 'required'?)");
  auto dup = run_service("    depends_on: [db, db]\n");
  EXPECT_EQ(dup.errors(), "stack.yaml:4:22: services.a.depends_on[1]: 'db' is listed twice");
  auto type = run_service("    depends_on: db\n");
  EXPECT_EQ(type.errors(), "stack.yaml:4:17: services.a.depends_on: expected a list or a mapping, got a string");
}

TEST(NormalizeStopSignal, NamesAndNumbers) {
  auto o = run("services:\n  a: {image: x, stop_signal: SIGTERM}\n  b: {image: x, stop_signal: quit}\n"
               "  c: {image: x, stop_signal: 9}\n  d: {image: x, stop_signal: SIGRTMIN+3}\n"
               "  e: {image: x, stop_grace_period: 1m30s}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service("a").stop_signal, "SIGTERM");
  EXPECT_EQ(o.service("b").stop_signal, "SIGQUIT");
  EXPECT_EQ(o.service("c").stop_signal, "SIGKILL");
  EXPECT_EQ(o.service("d").stop_signal, "SIGRTMIN+3");
  EXPECT_EQ(o.service("e").stop_grace_period, Duration(90s));
}

TEST(NormalizeStopSignal, Invalid) {
  auto o = run_service("    stop_signal: SIGFOO\n    stop_grace_period: soon\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:4:18: services.a.stop_signal: \"SIGFOO\" is not a valid signal\n"
            "stack.yaml:5:24: services.a.stop_grace_period: \"soon\" is not a valid duration: expected a number");
  EXPECT_FALSE(run_service("    stop_signal: 99\n").stack);
}

TEST(NormalizePullPolicy, Values) {
  auto o = run("services:\n  a: {image: x, pull_policy: always}\n  b: {image: x, pull_policy: if_not_present}\n"
               "  c: {image: x, pull_policy: never}\n  d: {image: x}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service("a").pull_policy, PullPolicy::always);
  EXPECT_EQ(o.service("b").pull_policy, PullPolicy::missing);
  EXPECT_EQ(o.service("c").pull_policy, PullPolicy::never);
  EXPECT_EQ(o.service("d").pull_policy, PullPolicy::missing);
  auto bad = run_service("    pull_policy: sometimes\n");
  EXPECT_EQ(bad.errors(), "stack.yaml:4:18: services.a.pull_policy: unknown pull policy 'sometimes' "
                          "(always, missing, never, build, daily, weekly or every_<duration>)");
}

// daily, weekly and every_<duration> pull when the tag is older than the window (compose's units:
// w, d, h, m, s, combined); `config` writes them back as compose does.
TEST(NormalizePullPolicy, RefreshWindows) {
  auto o = run("services:\n  a: {image: x, pull_policy: daily}\n  b: {image: x, pull_policy: weekly}\n"
               "  c: {image: x, pull_policy: every_12h}\n  d: {image: x, pull_policy: every_1w2d30m}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service("a").pull_policy, PullPolicy::refresh);
  EXPECT_EQ(o.service("a").pull_refresh, 24h);
  EXPECT_EQ(o.service("b").pull_refresh, 7 * 24h);
  EXPECT_EQ(o.service("c").pull_refresh, 12h);
  EXPECT_EQ(o.service("d").pull_refresh, 9 * 24h + 30min);
  for (const char* bad : {"every_", "every_5", "every_5x", "every_h", "every_0s"}) {
    auto r = run_service(std::string("    pull_policy: ") + bad + "\n");
    EXPECT_EQ(r.errors(), "stack.yaml:4:18: services.a.pull_policy: '" + std::string(bad) +
                              "': expected every_ and a duration in w, d, h, m and s (every_12h, every_1w2d)");
  }
}

}  // namespace
}  // namespace stack::spec
