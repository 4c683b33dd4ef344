// Mapping rows: healthcheck -> probes; depends_on -> wait initContainers.
#include "kube_fixture.hpp"

namespace stack::kube::testing {
namespace {

constexpr const char* kWebHead = "services:\n  web:\n    image: x\n    restart: always\n";

TEST(KubeProbes, CmdIsAnExecReadinessProbeWithTimings) {
  Export e = exported(std::string(kWebHead) +
                      "    healthcheck: {test: [CMD, wget, -q, localhost], interval: 5s, timeout: 2s, retries: 4}\n");
  json probe = {{"exec", {{"command", {"wget", "-q", "localhost"}}}},
                {"periodSeconds", 5}, {"timeoutSeconds", 2}, {"failureThreshold", 4}};
  const json& c = container(e, "web");
  EXPECT_EQ(c["readinessProbe"], probe);
  EXPECT_FALSE(c.contains("livenessProbe"));
  EXPECT_FALSE(c.contains("startupProbe"));
}

TEST(KubeProbes, CmdShellRunsThroughBinSh) {
  Export e = exported(std::string(kWebHead) + "    healthcheck: {test: \"pg_isready -U app\"}\n");
  const json& probe = container(e, "web")["readinessProbe"];
  EXPECT_EQ(probe["exec"]["command"], json({"/bin/sh", "-c", "pg_isready -U app"}));
  EXPECT_EQ(probe["periodSeconds"], 30);  // docker's defaults
  EXPECT_EQ(probe["failureThreshold"], 3);
}

TEST(KubeProbes, StartPeriodIsAStartupProbe) {
  Export e = exported(std::string(kWebHead) +
                      "    healthcheck: {test: [CMD, ok], start_period: 20s, start_interval: 2s, retries: 3}\n");
  const json& startup = container(e, "web")["startupProbe"];
  EXPECT_EQ(startup["periodSeconds"], 2);
  EXPECT_EQ(startup["failureThreshold"], 13);  // 20s / 2s, then the retries
}

TEST(KubeProbes, LivenessOnlyWhenAsked) {
  Options options;
  options.liveness = true;
  Export e = exported(std::string(kWebHead) + "    healthcheck: {test: [CMD, ok]}\n", options);
  EXPECT_EQ(container(e, "web")["livenessProbe"], container(e, "web")["readinessProbe"]);
}

TEST(KubeProbes, HealthOnFailureKillOrRestartIsALivenessProbe) {
  for (const char* action : {"kill", "restart"}) {
    Export e = exported(std::string(kWebHead) + "    healthcheck: {test: [CMD, ok], start_period: 10s}\n"
                        "    x-health-on-failure: " + action + "\n");
    const json& c = container(e, "web");
    EXPECT_EQ(c["livenessProbe"], c["readinessProbe"]) << action;
    EXPECT_TRUE(c.contains("startupProbe"));  // liveness counts once the start period is over
    EXPECT_TRUE(e.warnings.empty()) << all_warnings(e);
  }
}

TEST(KubeProbes, HealthOnFailureRestartOfAJobThatNeverRestartsWarns) {
  Export e = exported("services:\n  task:\n    image: x\n    restart: \"no\"\n"
                      "    healthcheck: {test: [CMD, ok]}\n    x-health-on-failure: restart\n");
  EXPECT_TRUE(container(e, "task", "Job").contains("livenessProbe"));
  EXPECT_TRUE(warned(e, "services.task.x-health-on-failure", "restartPolicy Never"));
  Export kill = exported("services:\n  task:\n    image: x\n    restart: \"no\"\n"
                         "    healthcheck: {test: [CMD, ok]}\n    x-health-on-failure: kill\n");
  EXPECT_TRUE(kill.warnings.empty()) << all_warnings(kill);  // killed, and the policy decides: as under stack
}

TEST(KubeProbes, HealthOnFailureStopOrWithoutAProbeIsDropped) {
  Export stop = exported(std::string(kWebHead) + "    healthcheck: {test: [CMD, ok]}\n"
                         "    x-health-on-failure: stop\n");
  EXPECT_FALSE(container(stop, "web").contains("livenessProbe"));
  EXPECT_TRUE(warned(stop, "services.web.x-health-on-failure", "cannot leave a container stopped"));
  Export none = exported(std::string(kWebHead) + "    x-health-on-failure: kill\n");
  EXPECT_FALSE(container(none, "web").contains("livenessProbe"));
  EXPECT_TRUE(warned(none, "services.web.x-health-on-failure", "no probe"));
}

TEST(KubeProbes, SubsecondIntervalIsRoundedUpWithAWarning) {
  Export e = exported(std::string(kWebHead) + "    healthcheck: {test: [CMD, ok], interval: 500ms}\n");
  EXPECT_EQ(container(e, "web")["readinessProbe"]["periodSeconds"], 1);
  EXPECT_TRUE(warned(e, "services.web.healthcheck.interval", "rounded up to 1s"));
}

TEST(KubeProbes, DisabledHealthcheckHasNoProbe) {
  Export e = exported(std::string(kWebHead) + "    healthcheck: {disable: true}\n");
  EXPECT_FALSE(container(e, "web").contains("readinessProbe"));
  EXPECT_TRUE(e.warnings.empty()) << all_warnings(e);
}

constexpr const char* kDeps =
    "services:\n  db:\n    image: pg\n    restart: always\n    expose: [\"5432\"]\n"
    "  cache:\n    image: redis\n    restart: always\n"
    "  app:\n    image: x\n    restart: always\n"
    "    depends_on: {db: {condition: service_healthy}, cache: {condition: service_started}}\n";

TEST(KubeDepends, EachDependencyIsAWaitInitContainer) {
  Export e = exported(kDeps);
  const json& init = pod(e, "Deployment", "app")["initContainers"];
  ASSERT_EQ(init.size(), 2u);
  EXPECT_EQ(init[0]["name"], "wait-cache");
  EXPECT_EQ(init[0]["image"], "busybox:1.36");
  EXPECT_EQ(init[0]["command"][2], "until nslookup cache >/dev/null 2>&1; do echo 'waiting for cache'; sleep 2; done");
  EXPECT_EQ(init[1]["name"], "wait-db");
  EXPECT_EQ(init[1]["command"][2], "until nc -z -w 2 db 5432; do echo 'waiting for db'; sleep 2; done");
  EXPECT_TRUE(e.warnings.empty()) << all_warnings(e);
}

TEST(KubeDepends, NoWaitInitWarnsPerDependency) {
  Options options;
  options.wait_init = false;
  Export e = exported(kDeps, options);
  EXPECT_FALSE(pod(e, "Deployment", "app").contains("initContainers"));
  EXPECT_TRUE(warned(e, "services.app.depends_on.db", "--no-wait-init"));
  EXPECT_TRUE(warned(e, "services.app.depends_on.cache", "--no-wait-init"));
}

TEST(KubeDepends, CompletedSuccessfullyWarns) {
  Export e = exported("services:\n  migrate:\n    image: m\n"
                      "  app:\n    image: x\n    restart: always\n"
                      "    depends_on: {migrate: {condition: service_completed_successfully}}\n");
  EXPECT_FALSE(pod(e, "Deployment", "app").contains("initContainers"));
  EXPECT_TRUE(warned(e, "services.app.depends_on.migrate", "does not wait for Job"));
}

TEST(KubeDepends, WaitImageIsOverridable) {
  Options options;
  options.wait_image = "registry.test/tools:2";
  Export e = exported(kDeps, options);
  EXPECT_EQ(pod(e, "Deployment", "app")["initContainers"][0]["image"], "registry.test/tools:2");
}

TEST(KubeDepends, SelectedServicesBringTheirDependencies) {
  Options options;
  options.services = {"app"};
  Export e = exported(kDeps + std::string("  other:\n    image: o\n    restart: always\n"), options);
  EXPECT_NE(find(e, "Deployment", "db"), nullptr);
  EXPECT_NE(find(e, "Deployment", "cache"), nullptr);
  EXPECT_EQ(find(e, "Deployment", "other"), nullptr);
}

}  // namespace
}  // namespace stack::kube::testing
