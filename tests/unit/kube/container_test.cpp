// Mapping rows: image, entrypoint, command, working_dir, user, hooks, tty, stdin_open; environment
// and env_file.
#include "kube_fixture.hpp"

namespace stack::kube::testing {
namespace {

constexpr const char* kAppHead = "services:\n  app:\n    image: registry.test/app:1\n    restart: always\n";

TEST(KubeContainer, ImageEntrypointCommandAndWorkingDir) {
  Export e = exported(std::string(kAppHead) +
                      "    entrypoint: [/bin/run]\n    command: [serve, --port, \"80\"]\n"
                      "    working_dir: /srv\n");
  const json& c = container(e, "app");
  EXPECT_EQ(c["image"], "registry.test/app:1");
  EXPECT_EQ(c["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(c["command"], json({"/bin/run"}));
  EXPECT_EQ(c["args"], json({"serve", "--port", "80"}));
  EXPECT_EQ(c["workingDir"], "/srv");
}

// Compose's hooks are the container's lifecycle handlers; tty and stdin_open its own fields.
TEST(KubeContainer, HooksTtyAndStdinKeepTheirMeaning) {
  Export e = exported(std::string(kAppHead) +
                      "    post_start: [{command: [warm, up]}]\n    pre_stop: [{command: drain}]\n"
                      "    tty: true\n    stdin_open: true\n");
  const json& c = container(e, "app");
  EXPECT_EQ(c["lifecycle"]["postStart"], json({{"exec", {{"command", {"warm", "up"}}}}}));
  EXPECT_EQ(c["lifecycle"]["preStop"], json({{"exec", {{"command", {"drain"}}}}}));
  EXPECT_EQ(c["tty"], true);
  EXPECT_EQ(c["stdin"], true);
}

TEST(KubeContainer, ClearedEntrypointRunsTheCommandAlone) {
  Export e = exported(std::string(kAppHead) + "    entrypoint: []\n    command: [sleep, \"1\"]\n");
  const json& c = container(e, "app");
  EXPECT_EQ(c["command"], json({"sleep", "1"}));
  EXPECT_FALSE(c.contains("args"));
}

TEST(KubeContainer, DollarSignsAreEscapedFromKubernetesExpansion) {
  Export e = exported(std::string(kAppHead) +
                      "    command: [sh, -c, \"echo $(date) $$ $HOME\"]\n"
                      "    environment: {A: \"$(B)\"}\n");
  const json& c = container(e, "app");
  // Kubernetes expands $(VAR) and turns "$$" into "$": both are escaped.
  EXPECT_EQ(c["args"][2], "echo $$(date) $$$ $HOME");
  EXPECT_EQ(c["env"][0]["value"], "$$(B)");
}

TEST(KubeContainer, NumericUserIsRunAsUserAndGroup) {
  Export e = exported(std::string(kAppHead) + "    user: \"1000:2000\"\n");
  const json& sc = container(e, "app")["securityContext"];
  EXPECT_EQ(sc["runAsUser"], 1000);
  EXPECT_EQ(sc["runAsGroup"], 2000);
}

TEST(KubeContainer, NamedUserWarns) {
  Export e = exported(std::string(kAppHead) + "    user: postgres\n");
  EXPECT_FALSE(container(e, "app").contains("securityContext"));
  EXPECT_TRUE(warned(e, "services.app.user", "numeric ids only"));
}

TEST(KubeContainer, EnvironmentIsSortedEnvWithEmptyValuesLeftOut) {
  Export e = exported(std::string(kAppHead) + "    environment: {B: \"2\", A: \"1\", C: \"\"}\n");
  json expected = json::array({{{"name", "A"}, {"value", "1"}},
                               {{"name", "B"}, {"value", "2"}},
                               {{"name", "C"}}});
  EXPECT_EQ(container(e, "app")["env"], expected);
}

TEST(KubeContainer, EnvFileIsAConfigMapAndEnvironmentStillWins) {
  spec::Stack stack = stack_of(std::string(kAppHead) + "    environment: {MODE: prod, EXTRA: x}\n");
  spec::Service& s = stack.services[0];
  // As spec::load leaves it after env_file: [app.env] with MODE=dev and LEVEL=3.
  s.env_file_environment = {{"MODE", "dev"}, {"LEVEL", "3"}};
  s.environment = {{"MODE", "prod"}, {"EXTRA", "x"}, {"LEVEL", "3"}};
  Export e = exported(stack);
  const json& cm = object(e, "ConfigMap", "app-env");
  EXPECT_EQ(cm["data"], json({{"LEVEL", "3"}}));
  const json& c = container(e, "app");
  EXPECT_EQ(c["envFrom"][0]["configMapRef"]["name"], "app-env");
  json env = json::array({{{"name", "EXTRA"}, {"value", "x"}}, {{"name", "MODE"}, {"value", "prod"}}});
  EXPECT_EQ(c["env"], env);
}

TEST(KubeContainer, PullPolicyMapsToImagePullPolicy) {
  Export e = exported(std::string(kAppHead) + "    pull_policy: always\n");
  EXPECT_EQ(container(e, "app")["imagePullPolicy"], "Always");
}

TEST(KubeContainer, PortsAndExposeAreContainerPortsWithNames) {
  Export e = exported(std::string(kAppHead) +
                      "    ports: [\"8080:80\", \"53:53/udp\"]\n    expose: [\"9000\", \"80\"]\n");
  json expected = json::array({
      {{"containerPort", 80}, {"name", "tcp-80"}, {"protocol", "TCP"}},
      {{"containerPort", 53}, {"name", "udp-53"}, {"protocol", "UDP"}},
      {{"containerPort", 9000}, {"name", "tcp-9000"}, {"protocol", "TCP"}}});
  EXPECT_EQ(container(e, "app")["ports"], expected);
}

TEST(KubeContainer, TooLongPortNameIsReplacedWithAWarning) {
  Export e = exported(std::string(kAppHead) +
                      "    ports: [{target: 80, name: a-very-long-port-name}]\n");
  EXPECT_EQ(container(e, "app")["ports"][0]["name"], "tcp-80");
  EXPECT_TRUE(warned(e, "services.app.ports", "at most 15"));
}

}  // namespace
}  // namespace stack::kube::testing
