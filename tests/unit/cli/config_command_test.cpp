// `stack config` and friends through the real binary, on stack files in a temporary directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "unit/cli/run_binary.hpp"

namespace stack::cli {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using testing::run_stack;
using testing::TempDir;

constexpr const char* kStack = R"(name: demo
services:
  web:
    image: nginx:1.25
    command: ["nginx", "-g", "daemon off;"]
    ports: ["8080:80"]
    environment:
      MODE: prod
      ANSWER: "yes"
    depends_on:
      db: {condition: service_healthy}
    volumes: ["data:/data"]
    healthcheck:
      test: ["CMD", "true"]
      interval: 90s
  db:
    image: postgres:16
volumes:
  data: {}
)";

class ConfigCommandTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(ConfigCommandTest, PrintsResolvedModelAsYaml) {
  dir_.write("stack.yaml", kStack);
  auto run = run_stack({"config"}, dir_.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, IsEmpty());
  EXPECT_THAT(run.out, HasSubstr("name: demo\n"));
  EXPECT_THAT(run.out, HasSubstr("    image: nginx:1.25\n"));
  EXPECT_THAT(run.out, HasSubstr("published: \"8080\"\n"));
  EXPECT_THAT(run.out, HasSubstr("ANSWER: \"yes\"\n"));  // a string YAML would read as a bool
  EXPECT_THAT(run.out, HasSubstr("interval: 1m30s\n"));
  EXPECT_THAT(run.out, HasSubstr("condition: service_healthy\n"));
  EXPECT_THAT(run.out, HasSubstr("    name: demo_data\n"));
}

TEST_F(ConfigCommandTest, PrintsResolvedModelAsJson) {
  dir_.write("stack.yaml", kStack);
  auto run = run_stack({"config", "--format", "json"}, dir_.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json j = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << run.out;
  EXPECT_EQ(j["name"], "demo");
  const auto& web = j["services"]["web"];
  EXPECT_EQ(web["image"], "nginx:1.25");
  EXPECT_EQ(web["command"], nlohmann::json({"nginx", "-g", "daemon off;"}));
  EXPECT_EQ(web["environment"]["MODE"], "prod");
  EXPECT_EQ(web["ports"][0]["published"], "8080");
  EXPECT_EQ(web["ports"][0]["target"], 80);
  EXPECT_EQ(web["volumes"][0]["type"], "volume");
  EXPECT_EQ(web["depends_on"]["db"]["condition"], "service_healthy");
  EXPECT_EQ(j["volumes"]["data"]["name"], "demo_data");
}

TEST_F(ConfigCommandTest, ListsServicesVolumesNetworks) {
  dir_.write("stack.yaml", kStack);
  auto services = run_stack({"config", "--services"}, dir_.path());
  EXPECT_EQ(services.exit_code, 0) << services.err;
  EXPECT_EQ(services.out, "db\nweb\n");
  auto volumes = run_stack({"config", "--volumes"}, dir_.path());
  EXPECT_EQ(volumes.out, "data\n");
  auto networks = run_stack({"config", "--networks"}, dir_.path());
  EXPECT_EQ(networks.out, "default\n");
}

TEST_F(ConfigCommandTest, QuietOnlyValidates) {
  dir_.write("stack.yaml", kStack);
  auto run = run_stack({"config", "-q"}, dir_.path());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_THAT(run.err, IsEmpty());
}

std::string hash_line(const testing::Run& run, const std::string& service) {
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(service + " ", 0) == 0) return line.substr(service.size() + 1);
  }
  return "";
}

TEST_F(ConfigCommandTest, HashIsStableAcrossSpellings) {
  dir_.write("a.yaml", "services:\n  web:\n    image: nginx\n    environment: {A: '1', B: '2'}\n"
                       "    ports: ['8080:80']\n");
  dir_.write("b.yaml", "x-env: &env\n  B: '2'\n  A: '1'\nservices:\n  web:\n"
                       "    ports:\n      - {target: 80, published: '8080'}\n"
                       "    environment: *env\n    image: nginx\n");
  auto a = run_stack({"-f", "a.yaml", "config", "--hash", "web"}, dir_.path());
  auto b = run_stack({"-f", "b.yaml", "config", "--hash", "*"}, dir_.path());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_THAT(a.out, MatchesRegex("web [0-9a-f]{64}\n"));
  EXPECT_EQ(hash_line(a, "web"), hash_line(b, "web"));
  auto again = run_stack({"-f", "a.yaml", "config", "--hash", "web"}, dir_.path());
  EXPECT_EQ(again.out, a.out);
}

TEST_F(ConfigCommandTest, HashChangesWithTheService) {
  dir_.write("a.yaml", "services:\n  web:\n    image: nginx\n  db:\n    image: postgres\n");
  dir_.write("b.yaml", "services:\n  web:\n    image: nginx\n    mem_limit: 64m\n"
                       "  db:\n    image: postgres\n    scale: 2\n");
  auto a = run_stack({"-f", "a.yaml", "config", "--hash", "*"}, dir_.path());
  auto b = run_stack({"-f", "b.yaml", "config", "--hash", "db,web"}, dir_.path());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(hash_line(a, "web"), hash_line(b, "web"));  // a limit changes the container
  EXPECT_EQ(hash_line(a, "db"), hash_line(b, "db"));    // the replica count does not
}

TEST_F(ConfigCommandTest, HashOfUnknownServiceFails) {
  dir_.write("stack.yaml", kStack);
  auto run = run_stack({"config", "--hash", "web,nope"}, dir_.path());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_EQ(run.err, "stack: unknown service 'nope'\n");
}

// compose prints "$" as "$$", so that the output read back is the same model.
TEST_F(ConfigCommandTest, DollarsArePrintedEscapedAndTheOutputReadsBack) {
  dir_.write("stack.yaml",
             "services:\n  db:\n    image: postgres\n    command: [\"pg_isready\", \"-d\", \"$$POSTGRES_DB\"]\n");
  auto run = run_stack({"config"}, dir_.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("- $$POSTGRES_DB\n"));
  dir_.write("again.yaml", run.out);
  auto again = run_stack({"-f", "again.yaml", "config", "--hash", "db"}, dir_.path());
  auto first = run_stack({"config", "--hash", "db"}, dir_.path());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, first.out);
}

// develop.watch is printed with absolute paths, and the output reads back as the same model.
TEST_F(ConfigCommandTest, DevelopWatchIsPrintedAndReadsBack) {
  dir_.write("stack.yaml", "services:\n  web:\n    image: busybox\n    develop:\n      watch:\n"
                           "        - {path: ./html, action: sync, target: /www, ignore: [\"*.tmp\"], initial_sync: true}\n"
                           "        - path: conf\n          action: sync+exec\n          target: /etc/app\n"
                           "          exec: {command: [\"kill\", \"-HUP\", \"1\"], user: root}\n"
                           "        - {path: ., action: restart}\n");
  auto run = run_stack({"config"}, dir_.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("path: " + (dir_.path() / "html").string() + "\n"));
  EXPECT_THAT(run.out, HasSubstr("action: sync+exec\n"));
  EXPECT_THAT(run.out, HasSubstr("initial_sync: true\n"));
  dir_.write("again.yaml", run.out);
  auto again = run_stack({"-f", "again.yaml", "config"}, dir_.path());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, run.out);
  dir_.write("bad.yaml", "services:\n  web:\n    image: busybox\n    develop:\n      watch:\n        - {path: ., action: sync}\n");
  auto bad = run_stack({"-f", "bad.yaml", "config"}, dir_.path());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("bad.yaml:6:11: services.web.develop.watch[0]: action 'sync' needs a 'target'"));
}

TEST_F(ConfigCommandTest, UnsetVariableWarnsOnStderrAndStillSucceeds) {
  dir_.write("stack.yaml", "services:\n  web:\n    image: \"nginx:${COV_UNSET_TAG}\"\n");
  auto run = run_stack({"config"}, dir_.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("stack: warning: "));
  EXPECT_THAT(run.err, HasSubstr("stack.yaml:3:12: services.web.image: The COV_UNSET_TAG variable is "
                                 "not set. Defaulting to a blank string.\n"));
}

TEST_F(ConfigCommandTest, InvalidFileExitsOneWithPositions) {
  dir_.write("stack.yaml", "services:\n  web:\n    image: nginx\n    restart: sometimes\n");
  auto run = run_stack({"config"}, dir_.path());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_THAT(run.err, ContainsRegex("stack\\.yaml:4:[0-9]+: services\\.web\\.restart: "));
}

TEST_F(ConfigCommandTest, MalformedYamlExitsOne) {
  dir_.write("bad.yaml", "services:\n  web:\n    image: [\n");
  auto run = run_stack({"-f", "bad.yaml", "config", "-q"}, dir_.path());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, ContainsRegex("bad\\.yaml:[0-9]+:[0-9]+: "));
}

TEST_F(ConfigCommandTest, DependencyCycleExitsOne) {
  dir_.write("stack.yaml", "services:\n  a:\n    image: x\n    depends_on: [b]\n"
                           "  b:\n    image: x\n    depends_on: [a]\n");
  auto run = run_stack({"config", "-q"}, dir_.path());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("a -> b -> a"));
}

TEST_F(ConfigCommandTest, NoStackFileFound) {
  auto run = run_stack({"config"}, dir_.path());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "stack: no stack file found in " + dir_.path().string() +
                         " (looked for stack.yaml, stack.yml, compose.yaml, compose.yml, "
                         "docker-compose.yaml, docker-compose.yml)\n");
}

TEST_F(ConfigCommandTest, DefaultFileNamesInOrder) {
  dir_.write("docker-compose.yml", "services:\n  old:\n    image: x\n");
  EXPECT_EQ(run_stack({"config", "--services"}, dir_.path()).out, "old\n");
  dir_.write("compose.yaml", "services:\n  newer:\n    image: x\n");
  EXPECT_EQ(run_stack({"config", "--services"}, dir_.path()).out, "newer\n");
  dir_.write("stack.yaml", "services:\n  own:\n    image: x\n");
  EXPECT_EQ(run_stack({"config", "--services"}, dir_.path()).out, "own\n");
}

TEST_F(ConfigCommandTest, ProjectDirectoryIsWhereDefaultFilesAreFound) {
  dir_.write("sub/compose.yaml", "services:\n  app:\n    image: x\n");
  auto run = run_stack({"--project-directory", "sub", "config", "--services"}, dir_.path());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "app\n");
}

TEST_F(ConfigCommandTest, ComposeFileVariable) {
  dir_.write("one.yaml", "services:\n  web:\n    image: nginx\n");
  dir_.write("two.yaml", "services:\n  web:\n    image: caddy\n  extra:\n    image: x\n");
  auto run = run_stack({"config", "--format", "json"}, dir_.path(),
                       {{"COMPOSE_FILE", "one.yaml:two.yaml"}});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["services"]["web"]["image"], "caddy");
  EXPECT_TRUE(j["services"].contains("extra"));
}

TEST_F(ConfigCommandTest, FilesMergeInOrderAndProjectName) {
  dir_.write("base.yaml", "services:\n  web:\n    image: nginx\n    environment: {A: '1'}\n");
  dir_.write("override.yaml", "services:\n  web:\n    environment: {B: '2'}\n");
  auto run = run_stack(
      {"-f", "base.yaml", "-f", "override.yaml", "-p", "shop", "config", "--format", "json"},
      dir_.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["name"], "shop");
  EXPECT_EQ(j["services"]["web"]["environment"], nlohmann::json({{"A", "1"}, {"B", "2"}}));
}

TEST_F(ConfigCommandTest, UsageErrorsExitTwoWithOneLine) {
  dir_.write("stack.yaml", kStack);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"config", "--format", "xml"}, {"config", "--bogus"},
        {"frobnicate"}, {}, {"--log-level", "loud", "config"}}) {
    auto run = run_stack(args, dir_.path());
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_THAT(run.err, MatchesRegex("stack: [^\n]+\n")) << run.err;
    EXPECT_THAT(run.out, IsEmpty());
  }
}

TEST_F(ConfigCommandTest, HelpGoesToStdout) {
  auto run = run_stack({"--help"}, dir_.path());
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, HasSubstr("config"));
  EXPECT_THAT(run.out, HasSubstr("--project-directory"));
  EXPECT_THAT(run.err, IsEmpty());
  auto verb = run_stack({"config", "--help"}, dir_.path());
  EXPECT_EQ(verb.exit_code, 0);
  EXPECT_THAT(verb.out, HasSubstr("--hash"));
}

TEST_F(ConfigCommandTest, VersionCommand) {
  auto text = run_stack({"version"}, dir_.path());
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.out, MatchesRegex("stack version [0-9]+\\.[0-9]+\\.[0-9]+.*\n"));
  auto shortened = run_stack({"version", "--short"}, dir_.path());
  EXPECT_THAT(shortened.out, MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+.*\n"));
  auto json = run_stack({"version", "--format", "json"}, dir_.path());
  EXPECT_TRUE(nlohmann::json::parse(json.out).contains("version"));
  EXPECT_THAT(run_stack({"--version"}, dir_.path()).out, Not(IsEmpty()));
}

}  // namespace
}  // namespace stack::cli
