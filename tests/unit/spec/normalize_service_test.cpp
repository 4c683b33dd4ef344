// Top level, service basics, environment, command/entrypoint, profiles.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "spec/normalize.hpp"
#include "spec/reader.hpp"

namespace stack::spec {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

NormalizeContext shell_test_context() {
  NormalizeContext ctx;
  ctx.project_name = "demo";
  ctx.working_dir = "/srv/app";
  ctx.environment = {{"HOME", "/home/ann"}, {"SHELL_VAR", "from-shell"}};
  return ctx;
}

struct ServiceOutcome {
  std::optional<Stack> stack;
  Diagnostics diags;
  std::string errors() const { return diags.format(); }
  const Service& service(std::string_view name) const {
    const Service* s = stack->find_service(name);
    if (!s) throw std::runtime_error("no service " + std::string(name));
    return *s;
  }
};

ServiceOutcome normalize_yaml(std::string_view yaml, const NormalizeContext& ctx = shell_test_context()) {
  ServiceOutcome o;
  auto root = read_yaml(yaml, "stack.yaml", o.diags);
  if (!root) return o;
  o.stack = normalize(*root, ctx, o.diags);
  return o;
}

TEST(NormalizeTopLevel, MinimalStack) {
  auto o = normalize_yaml("services:\n  web:\n    image: nginx\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.stack->name, "demo");
  EXPECT_EQ(o.stack->working_dir, "/srv/app");
  ASSERT_EQ(o.stack->services.size(), 1u);
  const Service& web = o.service("web");
  EXPECT_EQ(web.image, "nginx");
  EXPECT_EQ(web.location.path, "services.web");
  EXPECT_EQ(web.location.mark.line, 2);
  ASSERT_EQ(web.networks.size(), 1u);
  EXPECT_EQ(web.networks[0].key, "default");
  ASSERT_EQ(o.stack->networks.size(), 1u);
  EXPECT_EQ(o.stack->networks[0].name, "demo_default");
  EXPECT_EQ(web.replicas, 1);
  EXPECT_EQ(web.restart.kind, RestartPolicy::Kind::no);
}

TEST(NormalizeTopLevel, IgnoresVersionAndExtensions) {
  auto o = normalize_yaml("version: '3.8'\nx-common: &c {a: 1}\nname: demo\nservices:\n  web:\n    image: a\n"
               "    x-note: anything\n  x-template: {image: b}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.stack->services.size(), 1u);
}

TEST(NormalizeTopLevel, UnsupportedTopLevelKeys) {
  auto o = normalize_yaml("services: {}\nsecrets:\n  s: {file: x}\nconfigs: {}\nmodels: {}\ninclude: []\n");
  EXPECT_FALSE(o.stack);
  // include is applied by load: a tree that still holds it did not come through load
  EXPECT_EQ(o.errors(),
            "stack.yaml:6:1: unknown key 'include'\n"
            "stack.yaml:5:1: models: not supported: Docker Model Runner is not part of stack");
}

TEST(NormalizeTopLevel, UnknownTopLevelKeyWithSuggestion) {
  auto o = normalize_yaml("servics:\n  web: {image: a}\n");
  EXPECT_EQ(o.errors(), "stack.yaml:1:1: unknown key 'servics' (did you mean 'services'?)");
}

TEST(NormalizeTopLevel, RootMustBeAMapping) {
  auto o = normalize_yaml("- a\n- b\n");
  EXPECT_EQ(o.errors(), "stack.yaml:1:1: expected a mapping at the top level, got a list");
}

TEST(NormalizeTopLevel, InvalidProjectName) {
  auto o = normalize_yaml("name: My App\nservices: {}\n");
  EXPECT_THAT(o.errors(), ::testing::HasSubstr("stack.yaml:1:7: name: 'My App' is not a valid project name"));
}

TEST(NormalizeService, UnknownKeyWithSuggestion) {
  auto o = normalize_yaml("services:\n  web:\n    imgae: nginx\n    image: nginx\n");
  EXPECT_FALSE(o.stack);
  EXPECT_EQ(o.errors(), "stack.yaml:3:5: services.web: unknown key 'imgae' (did you mean 'image'?)");
}

TEST(NormalizeService, UnknownKeyWithoutCloseMatch) {
  auto o = normalize_yaml("services:\n  web:\n    image: nginx\n    frobnicate: 1\n");
  EXPECT_EQ(o.errors(), "stack.yaml:4:5: services.web: unknown key 'frobnicate'");
}

TEST(NormalizeService, MissingImage) {
  auto o = normalize_yaml("services:\n  web:\n    command: run\n");
  EXPECT_EQ(o.errors(), "stack.yaml:2:3: services.web: missing 'image'");
}

TEST(NormalizeService, KnownButUnsupportedKey) {
  auto o = normalize_yaml("services:\n  web:\n    image: a\n    cgroup_parent: x\n");
  EXPECT_EQ(o.errors(), "stack.yaml:4:5: services.web.cgroup_parent: not supported yet: containers live under the project's cgroup (stack/<project>)");
}

TEST(NormalizeService, ServiceMustBeAMapping) {
  auto o = normalize_yaml("services:\n  web: nginx\n");
  EXPECT_EQ(o.errors(), "stack.yaml:2:8: services.web: expected a mapping, got a string");
}

TEST(NormalizeService, InvalidServiceName) {
  auto o = normalize_yaml("services:\n  'we b':\n    image: a\n");
  EXPECT_EQ(o.errors(), "stack.yaml:2:3: services.we b: 'we b' is not a valid service name");
}

TEST(NormalizeService, PlainStringKeys) {
  auto o = normalize_yaml("services:\n  web:\n    image: nginx:1.25\n    working_dir: /app\n    user: '1000:1000'\n"
               "    hostname: web1\n    domainname: example.org\n    container_name: my-web\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const Service& s = o.service("web");
  EXPECT_EQ(s.image, "nginx:1.25");
  EXPECT_EQ(s.working_dir, "/app");
  EXPECT_EQ(s.user, "1000:1000");
  EXPECT_EQ(s.hostname, "web1");
  EXPECT_EQ(s.domainname, "example.org");
  EXPECT_EQ(s.container_name, "my-web");
}

TEST(NormalizeService, WrongTypeForString) {
  auto o = normalize_yaml("services:\n  web:\n    image: [a, b]\n");
  EXPECT_EQ(o.errors(), "stack.yaml:3:12: services.web.image: expected a string, got a list");
}

TEST(NormalizeService, InvalidContainerName) {
  auto o = normalize_yaml("services:\n  web:\n    image: a\n    container_name: -bad\n");
  EXPECT_EQ(o.errors(), "stack.yaml:4:21: services.web.container_name: '-bad' is not a valid container name");
}

TEST(NormalizeService, LabelsAsMapAndList) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    labels: {com.x: '1', empty: }\n"
               "  b:\n    image: x\n    labels: [com.y=2, bare]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service("a").labels, UnorderedElementsAre(Pair("com.x", "1"), Pair("empty", "")));
  EXPECT_THAT(o.service("b").labels, UnorderedElementsAre(Pair("com.y", "2"), Pair("bare", "")));
}

TEST(NormalizeService, LabelsWrongType) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    labels: text\n");
  EXPECT_EQ(o.errors(), "stack.yaml:4:13: services.a.labels: expected a mapping or a list, got a string");
}

TEST(NormalizeService, Booleans) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    privileged: yes\n    read_only: 'on'\n    init: false\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_TRUE(o.service("a").privileged);
  EXPECT_TRUE(o.service("a").read_only);
  EXPECT_EQ(o.service("a").init, std::optional<bool>(false));
}

TEST(NormalizeService, BadBoolean) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    privileged: maybe\n");
  EXPECT_EQ(o.errors(), "stack.yaml:4:17: services.a.privileged: \"maybe\" is not a valid boolean");
}

TEST(NormalizeService, NullValueIsUnset) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    command:\n    ports:\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_FALSE(o.service("a").command);
}

TEST(NormalizeEnvironment, MapAndList) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    environment:\n      NUM: 1\n      BOOL: true\n"
               "      FROM_SHELL:\n      MISSING:\n  b:\n    image: x\n    environment:\n"
               "      - K=V=W\n      - SHELL_VAR\n      - NOT_SET\n      - EMPTY=\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service("a").environment,
              UnorderedElementsAre(Pair("NUM", "1"), Pair("BOOL", "true")));
  EXPECT_THAT(o.service("b").environment,
              UnorderedElementsAre(Pair("K", "V=W"), Pair("SHELL_VAR", "from-shell"), Pair("EMPTY", "")));
}

TEST(NormalizeEnvironment, ValueFromShellInMap) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    environment:\n      SHELL_VAR:\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service("a").environment, ElementsAre(Pair("SHELL_VAR", "from-shell")));
}

TEST(NormalizeEnvironment, Errors) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    environment:\n      - =v\n  b:\n    image: x\n"
               "    environment:\n      FOO: [1]\n  c:\n    image: x\n    environment: 3\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:5:9: services.a.environment[0]: \"=v\" has an empty variable name\n"
            "stack.yaml:9:12: services.b.environment.FOO: expected a string, a number, a boolean or null, got a list\n"
            "stack.yaml:12:18: services.c.environment: expected a mapping or a list, got a number");
}

class EnvFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("stack-envfile-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "a.env") << "A=1\nSHARED=from-a\n";
    std::ofstream(dir_ / "b.env") << "B=2\nSHARED=from-b\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  NormalizeContext context() const {
    NormalizeContext ctx = shell_test_context();
    ctx.working_dir = dir_.string();
    return ctx;
  }
  std::filesystem::path dir_;
};

TEST_F(EnvFileTest, FilesInOrderEnvironmentWins) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    env_file: [a.env, b.env]\n"
               "    environment: {B: override}\n",
               context());
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service("a").environment,
              UnorderedElementsAre(Pair("A", "1"), Pair("B", "override"), Pair("SHARED", "from-b")));
}

TEST_F(EnvFileTest, StringAndLongForm) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    env_file: a.env\n  b:\n    image: x\n    env_file:\n"
               "      - path: missing.env\n        required: false\n      - path: b.env\n",
               context());
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service("a").environment.at("A"), "1");
  EXPECT_EQ(o.service("b").environment.at("B"), "2");
}

TEST_F(EnvFileTest, MissingRequiredFileIsAnError) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    env_file: nope.env\n", context());
  EXPECT_FALSE(o.stack);
  EXPECT_THAT(o.errors(), ::testing::HasSubstr("nope.env"));
}

TEST_F(EnvFileTest, LabelFilesInOrderLabelsWin) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    label_file: [a.env, b.env]\n    labels: {B: override}\n"
               "  b:\n    image: x\n    label_file: nope.env\n",
               context());
  EXPECT_EQ(o.errors().find("stack.yaml:4"), std::string::npos) << o.errors();
  EXPECT_THAT(o.errors(), ::testing::HasSubstr("stack.yaml:8:17: services.b.label_file"));
  EXPECT_THAT(o.errors(), ::testing::HasSubstr("nope.env"));
  auto ok = normalize_yaml("services:\n  a:\n    image: x\n    label_file: [a.env, b.env]\n    labels: {B: override}\n", context());
  ASSERT_TRUE(ok.stack) << ok.errors();
  EXPECT_THAT(ok.service("a").labels, UnorderedElementsAre(Pair("A", "1"), Pair("B", "override"), Pair("SHARED", "from-b")));
}

TEST_F(EnvFileTest, LongFormNeedsPath) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    env_file:\n      - required: true\n", context());
  EXPECT_EQ(o.errors(), "stack.yaml:5:9: services.a.env_file[0]: missing 'path'");
}

TEST(NormalizeCommand, StringIsShellSplit) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    command: sh -c 'echo \"hi there\"' a\\ b\n"
               "    entrypoint: [\"/bin/tini\", \"--\"]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(*o.service("a").command, ElementsAre("sh", "-c", "echo \"hi there\"", "a b"));
  EXPECT_THAT(*o.service("a").entrypoint, ElementsAre("/bin/tini", "--"));
}

TEST(NormalizeCommand, EmptyEntrypointClears) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    entrypoint: ''\n  b:\n    image: x\n    entrypoint: []\n");
  ASSERT_TRUE(o.stack) << o.errors();
  ASSERT_TRUE(o.service("a").entrypoint);
  EXPECT_TRUE(o.service("a").entrypoint->empty());
  ASSERT_TRUE(o.service("b").entrypoint);
  EXPECT_TRUE(o.service("b").entrypoint->empty());
  EXPECT_FALSE(o.service("a").command);
}

TEST(NormalizeCommand, UnterminatedQuote) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    command: echo 'oops\n");
  EXPECT_EQ(o.errors(), "stack.yaml:4:14: services.a.command: unterminated quote in \"echo 'oops\"");
}

TEST(NormalizeCommand, WrongType) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    command: {a: b}\n");
  EXPECT_EQ(o.errors(), "stack.yaml:4:14: services.a.command: expected a string or a list, got a mapping");
}

TEST(NormalizeProfiles, DisabledServicesAreDropped) {
  const char* yaml = "services:\n  web:\n    image: a\n  debug:\n    image: b\n    profiles: [debug]\n"
                     "  tools:\n    image: c\n    profiles: [tools, ops]\n";
  auto off = normalize_yaml(yaml);
  ASSERT_TRUE(off.stack) << off.errors();
  ASSERT_EQ(off.stack->services.size(), 1u);
  EXPECT_EQ(off.stack->services[0].name, "web");

  NormalizeContext ctx = shell_test_context();
  ctx.profiles = {"ops"};
  auto ops = normalize_yaml(yaml, ctx);
  ASSERT_TRUE(ops.stack) << ops.errors();
  ASSERT_EQ(ops.stack->services.size(), 2u);
  EXPECT_EQ(ops.stack->services[0].name, "tools");
  EXPECT_EQ(ops.stack->services[1].name, "web");

  ctx.profiles = {"*"};
  auto all = normalize_yaml(yaml, ctx);
  ASSERT_TRUE(all.stack) << all.errors();
  EXPECT_EQ(all.stack->services.size(), 3u);
}

TEST(NormalizeProfiles, DependencyOnDisabledServiceNamesTheProfile) {
  auto o = normalize_yaml("services:\n  web:\n    image: a\n    depends_on: [db]\n  db:\n    image: b\n"
               "    profiles: [storage, full]\n");
  EXPECT_FALSE(o.stack);
  EXPECT_EQ(o.errors(), "stack.yaml:4:18: services.web.depends_on.db: service 'db' is not enabled: "
                        "activate profile 'storage' or 'full'");
}

TEST(NormalizeProfiles, OptionalDependencyOnDisabledServiceIsDropped) {
  auto o = normalize_yaml("services:\n  web:\n    image: a\n    depends_on:\n      db: {required: false}\n"
               "  db:\n    image: b\n    profiles: [storage]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_TRUE(o.service("web").depends_on.empty());
}

TEST(NormalizeProfiles, InvalidProfileName) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    profiles: ['bad name']\n");
  EXPECT_EQ(o.errors(), "stack.yaml:4:16: services.a.profiles[0]: 'bad name' is not a valid profile name");
}

TEST(NormalizeService, ServicesSortedByName) {
  auto o = normalize_yaml("services:\n  zeta: {image: a}\n  alpha: {image: b}\n  mid: {image: c}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  ASSERT_EQ(o.stack->services.size(), 3u);
  EXPECT_EQ(o.stack->services[0].name, "alpha");
  EXPECT_EQ(o.stack->services[1].name, "mid");
  EXPECT_EQ(o.stack->services[2].name, "zeta");
}

TEST(NormalizeService, ErrorsAcrossServicesAreAllReported) {
  auto o = normalize_yaml("services:\n  a:\n    image: x\n    scale: many\n  b:\n    image: y\n    init: 3\n");
  EXPECT_EQ(o.diags.size(), 2u) << o.errors();
}

}  // namespace
}  // namespace stack::spec
