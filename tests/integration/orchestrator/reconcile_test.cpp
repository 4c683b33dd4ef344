// The reconciler through the real binary: idempotent up, recreation of what changed only, scale,
// order and health of dependencies, restart policies, concurrency and crashes of the CLI.
#include <signal.h>

#include "integration/orchestrator/e2e_fixture.hpp"

namespace stack::e2e {
namespace {

using ::testing::HasSubstr;

class Reconcile : public StackTest {
 protected:
  std::string started_at(const std::string& name) { return ps()[name]["StartedAt"].get<std::string>(); }
};

const char* kTwoServices =
    "  db:\n"
    "    image: busybox\n"
    "    command: [\"sleep\", \"600\"]\n"
    "    init: true\n"
    "  app:\n"
    "    image: busybox\n"
    "    command: [\"sleep\", \"600\"]\n"
    "    init: true\n"
    "    depends_on: [db]\n"
    "    environment:\n"
    "      VERSION: \"%s\"\n";

std::string two_services(const std::string& version) {
  char buf[1024];
  std::snprintf(buf, sizeof buf, kTwoServices, version.c_str());
  return buf;
}

TEST_F(Reconcile, SecondUpRestartsNothingAndAChangedServiceAloneIsRecreated) {
  start(10);
  write_stack(two_services("1"));
  ASSERT_EQ(stack("up -d").code, 0);
  std::string db = started_at(container("db")), app = started_at(container("app"));
  Outcome again = stack("up -d");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("Container " + container("app") + "  Running"));
  EXPECT_EQ(started_at(container("db")), db);
  EXPECT_EQ(started_at(container("app")), app);

  write_stack(two_services("2"));
  Outcome changed = stack("up -d");
  ASSERT_EQ(changed.code, 0) << changed.err;
  EXPECT_EQ(started_at(container("db")), db);
  EXPECT_NE(started_at(container("app")), app);
  Outcome env = stack("exec -T app sh -c 'echo $VERSION'");
  EXPECT_EQ(env.out, "2\n");

  Outcome forced = stack("up -d --force-recreate db");
  ASSERT_EQ(forced.code, 0) << forced.err;
  EXPECT_NE(started_at(container("db")), db);
}

TEST_F(Reconcile, ScaleAddsAndRemovesReplicas) {
  start(11);
  write_stack(two_services("1"));
  ASSERT_EQ(stack("up -d --scale app=3").code, 0);
  auto all = ps();
  EXPECT_EQ(all.size(), 4u);
  EXPECT_TRUE(all.count(container("app", 3)));
  ASSERT_EQ(stack("up -d").code, 0);
  all = ps();
  EXPECT_EQ(all.size(), 2u);
  EXPECT_FALSE(all.count(container("app", 2)));
}

TEST_F(Reconcile, DependenciesWaitForHealthAndCompletion) {
  start(12);
  write_stack(
      "  db:\n"
      "    image: busybox\n"
      "    command: [\"sh\", \"-c\", \"sleep 1; touch /tmp/ready; exec sleep 600\"]\n"
      "    init: true\n"
      "    healthcheck:\n"
      "      test: [\"CMD\", \"test\", \"-f\", \"/tmp/ready\"]\n"
      "      interval: 200ms\n"
      "      retries: 20\n"
      "  migrate:\n"
      "    image: busybox\n"
      "    command: [\"sh\", \"-c\", \"sleep 0.5\"]\n"
      "    depends_on:\n"
      "      db: {condition: service_healthy}\n"
      "  app:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "    depends_on:\n"
      "      migrate: {condition: service_completed_successfully}\n");
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;
  auto all = ps();
  auto t = [&](const std::string& service, const char* key) { return all[container(service)][key].get<std::string>(); };
  EXPECT_EQ(all[container("db")]["Health"], "healthy");
  // RFC 3339 UTC strings of equal length compare as times.
  EXPECT_GT(t("migrate", "StartedAt"), t("db", "StartedAt"));
  EXPECT_EQ(all[container("migrate")]["State"], "exited");
  EXPECT_EQ(all[container("migrate")]["ExitCode"], 0);
  EXPECT_GT(t("app", "StartedAt"), t("migrate", "StartedAt"));
  // The db became healthy at least a second after it started, and migrate waited for it.
  EXPECT_GE(t("migrate", "StartedAt").substr(0, 19), t("db", "StartedAt").substr(0, 19));
}

TEST_F(Reconcile, FailingDependencyStopsTheBringUpWithOneLine) {
  start(13);
  write_stack(
      "  db:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "    healthcheck:\n"
      "      test: [\"CMD\", \"false\"]\n"
      "      interval: 100ms\n"
      "      retries: 2\n"
      "  app:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    depends_on:\n"
      "      db: {condition: service_healthy}\n");
  Outcome up = stack("up -d");
  EXPECT_EQ(up.code, 1);
  EXPECT_EQ(up.err, "stack: dependency failed to start: container " + container("db") + " is unhealthy\n");
  EXPECT_FALSE(ps().count(container("app")));
}

TEST_F(Reconcile, RestartPoliciesShowInTheRestartCount) {
  start(14);
  write_stack(
      "  flaky:\n"
      "    image: busybox\n"
      "    command: [\"sh\", \"-c\", \"exit 1\"]\n"
      "    restart: on-failure:2\n"
      "  forever:\n"
      "    image: busybox\n"
      "    command: [\"sh\", \"-c\", \"sleep 0.1\"]\n"
      "    restart: always\n"
      "  once:\n"
      "    image: busybox\n"
      "    command: [\"sh\", \"-c\", \"exit 1\"]\n"
      "    restart: \"no\"\n");
  ASSERT_EQ(stack("up -d").code, 0);
  EXPECT_TRUE(wait_until(container("flaky"), [](const nlohmann::json& c) {
    return c["State"] == "exited" && c["RestartCount"] == 2;
  })) << ps()[container("flaky")].dump();
  EXPECT_TRUE(wait_until(container("forever"), [](const nlohmann::json& c) { return c["RestartCount"] >= 2; }));
  auto once = ps()[container("once")];
  EXPECT_EQ(once["RestartCount"], 0);
  EXPECT_EQ(once["ExitCode"], 1);
}

TEST_F(Reconcile, TwoConcurrentUpsConverge) {
  start(15);
  write_stack(two_services("1"));
  std::string cmd = std::string(STACK_BINARY) + " --root " + root_.path() + " -p " + project_ + " -f " + file() +
                    " up -d >/dev/null 2>&1";
  std::string both = "(" + cmd + " & " + cmd + " & wait %1; a=$?; wait %2; b=$?; echo $a $b)";
  EXPECT_EQ(sh(both), "0 0\n");
  auto all = ps();
  EXPECT_EQ(all.size(), 2u);
  for (auto& [name, c] : all) EXPECT_EQ(c["State"], "running") << name;
}

TEST_F(Reconcile, UpConvergesAfterTheCliIsKilledMidway) {
  start(16);
  std::string services;
  for (int i = 0; i < 6; ++i) {
    services += "  s" + std::to_string(i) + ":\n    image: busybox\n    command: [\"sleep\", \"600\"]\n    init: true\n";
  }
  write_stack(services);
  for (int delay_ms : {30, 120, 250}) {
    std::string cmd = std::string(STACK_BINARY) + " --root " + root_.path() + " -p " + project_ + " -f " + file() +
                      " up -d >/dev/null 2>&1 & p=$!; sleep " + std::to_string(delay_ms / 1000.0) +
                      "; kill -9 $p; wait $p 2>/dev/null; true";
    sh(cmd);
    Outcome up = stack("up -d");
    ASSERT_EQ(up.code, 0) << "after kill at " << delay_ms << " ms: " << up.err;
    auto all = ps();
    EXPECT_EQ(all.size(), 6u);
    for (auto& [name, c] : all) EXPECT_EQ(c["State"], "running") << name;
    Outcome down = stack("down -t 0");
    ASSERT_EQ(down.code, 0) << down.err;
    expect_no_residue();
  }
}

TEST_F(Reconcile, DownConvergesAfterTheCliIsKilledMidway) {
  start(17);
  std::string services;
  for (int i = 0; i < 6; ++i) {
    services += "  s" + std::to_string(i) + ":\n    image: busybox\n    command: [\"sleep\", \"600\"]\n    init: true\n";
  }
  write_stack(services);
  for (int delay_ms : {20, 80, 200}) {
    ASSERT_EQ(stack("up -d").code, 0);
    std::string cmd = std::string(STACK_BINARY) + " --root " + root_.path() + " -p " + project_ + " -f " + file() +
                      " down -t 0 >/dev/null 2>&1 & p=$!; sleep " + std::to_string(delay_ms / 1000.0) +
                      "; kill -9 $p; wait $p 2>/dev/null; true";
    sh(cmd);
    Outcome down = stack("down -t 0");
    ASSERT_EQ(down.code, 0) << "after kill at " << delay_ms << " ms: " << down.err;
    EXPECT_TRUE(ps().empty());
    expect_no_residue();
  }
}

}  // namespace
}  // namespace stack::e2e
