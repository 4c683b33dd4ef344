// build: the string and mapping forms, the image name of a built service, the keys refused, and
// what the config hash makes of the image id.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/validate.hpp"
#include <unistd.h>

#include <filesystem>

#include "spec/hash.hpp"
#include "spec/serialize.hpp"
#include "unit/spec/load_fixture.hpp"
#include "unit/spec/normalize_fixture.hpp"

namespace stack::spec {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using testing::run;

// A project directory with an app/ context, so that the context check passes.
class NormalizeBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("stack-build-spec-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "app");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  testing::Outcome load(const std::string& yaml) {
    NormalizeContext ctx = testing::test_context();
    ctx.working_dir = dir_.string();
    ctx.environment["FROM_SHELL"] = "shell-value";
    return run(yaml, ctx);
  }

  std::string at(const std::string& rel) const { return (dir_ / rel).lexically_normal().string(); }

  std::filesystem::path dir_;
};

TEST_F(NormalizeBuild, StringFormIsTheContext) {
  auto o = load("services:\n  web:\n    build: ./app\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const Service& s = o.service("web");
  ASSERT_TRUE(s.build);
  EXPECT_EQ(s.build->context, at("app"));
  EXPECT_EQ(s.build->dockerfile, "");
  EXPECT_EQ(s.image, "demo-web");  // compose's {project}-{service}
}

TEST_F(NormalizeBuild, DotIsTheProjectDirectory) {
  auto o = load("services:\n  web:\n    build: .\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service("web").build->context, dir_.lexically_normal().string());
}

TEST_F(NormalizeBuild, ImageNamesTheBuiltImage) {
  auto o = load("services:\n  web:\n    image: registry.local/web:2\n    build: app\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service("web").image, "registry.local/web:2");
}

TEST_F(NormalizeBuild, DefaultNameIsLowerCase) {
  auto o = load("services:\n  Web.Front:\n    build: app\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service("Web.Front").image, "demo-web.front");
}

TEST_F(NormalizeBuild, MappingForm) {
  auto o = load(
      "services:\n  web:\n    build:\n      context: app\n      dockerfile: docker/Dev.Dockerfile\n"
      "      args:\n        VERSION: 2\n        FROM_SHELL:\n        UNSET:\n"
      "      target: runtime\n      labels: [team=a]\n      network: none\n      no_cache: true\n"
      "      pull: false\n      tags: [web:extra]\n      shm_size: 64m\n"
      "      extra_hosts: [\"db=10.0.0.2\"]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const Build& b = *o.service("web").build;
  EXPECT_EQ(b.context, at("app"));
  EXPECT_EQ(b.dockerfile, at("app/docker/Dev.Dockerfile"));  // relative to the context
  // A key without a value takes the shell's value, or is left out (the ARG's default stays).
  EXPECT_THAT(b.args, ElementsAre(Pair("FROM_SHELL", "shell-value"), Pair("VERSION", "2")));
  EXPECT_EQ(b.target, "runtime");
  EXPECT_THAT(b.labels, ElementsAre(Pair("team", "a")));
  EXPECT_EQ(b.network, "none");
  EXPECT_TRUE(b.no_cache);
  EXPECT_FALSE(b.pull);
  EXPECT_THAT(b.tags, ElementsAre("web:extra"));
  EXPECT_EQ(b.shm_size, 64 * 1024 * 1024);
  ASSERT_EQ(b.extra_hosts.size(), 1u);
  EXPECT_EQ(b.extra_hosts[0].hostname, "db");
  EXPECT_EQ(b.extra_hosts[0].address, "10.0.0.2");
  EXPECT_TRUE(o.service("web").extra_hosts.empty());  // the build's hosts are not the container's
}

TEST_F(NormalizeBuild, ArgsAsAList) {
  auto o = load("services:\n  web:\n    build:\n      context: app\n      args: [A=1, FROM_SHELL, NOPE]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service("web").build->args, ElementsAre(Pair("A", "1"), Pair("FROM_SHELL", "shell-value")));
}

TEST_F(NormalizeBuild, ContextDefaultsToTheProjectDirectory) {
  auto o = load("services:\n  web:\n    build:\n      dockerfile_inline: |\n        FROM busybox\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service("web").build->context, dir_.lexically_normal().string());
  EXPECT_EQ(o.service("web").build->dockerfile_inline, "FROM busybox\n");
}

TEST_F(NormalizeBuild, AbsoluteDockerfileStays) {
  auto o = load("services:\n  web:\n    build:\n      context: app\n      dockerfile: /etc/Dockerfile\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service("web").build->dockerfile, "/etc/Dockerfile");
}

TEST_F(NormalizeBuild, MissingContextDirectory) {
  auto o = load("services:\n  web:\n    build: ./nope\n");
  EXPECT_EQ(o.errors(), "stack.yaml:3:12: services.web.build: build context '" + at("nope") +
                            "' is not a directory");
}

// A git repository or an http(s) URL is kept as written (the builder checks it out or downloads
// it); its Dockerfile stays relative, inside it. Other URLs are refused; a bad fragment is one line.
TEST_F(NormalizeBuild, GitAndHttpContextsAreKeptAndOtherRemoteContextsRefused) {
  auto o = load("services:\n  web:\n    build:\n      context: https://github.com/a/b.git#main:app\n"
                "      dockerfile: docker/Dockerfile\n  api:\n    build: git@github.com:a/b.git\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service("web").build->context, "https://github.com/a/b.git#main:app");
  EXPECT_EQ(o.service("web").build->dockerfile, "docker/Dockerfile");
  EXPECT_EQ(o.service("api").build->context, "git@github.com:a/b.git");

  auto tarball = load("services:\n  web:\n    build:\n      context: https://example.com/ctx.tar.gz\n"
                      "      dockerfile: sub/Dockerfile\n");
  ASSERT_TRUE(tarball.stack) << tarball.errors();
  EXPECT_EQ(tarball.service("web").build->context, "https://example.com/ctx.tar.gz");
  EXPECT_EQ(tarball.service("web").build->dockerfile, "sub/Dockerfile");  // inside the archive
  auto other = load("services:\n  web:\n    build: ftp://example.com/ctx.tar\n");
  EXPECT_EQ(other.errors(), "stack.yaml:3:12: services.web.build: not supported yet: a remote context that is neither "
                            "a git repository nor an http(s) URL ('ftp://example.com/ctx.tar'); use a local directory, "
                            "a git URL or an http(s) URL");
  auto fragment = load("services:\n  web:\n    build: https://github.com/a/b.git##colour=red\n");
  EXPECT_EQ(fragment.errors(), "stack.yaml:3:12: services.web.build: unexpected key 'colour' in the fragment of "
                               "'https://github.com/a/b.git##colour=red' (supported keys: ref, commit, subdir)");
  auto query = load("services:\n  web:\n    build: https://github.com/a/b.git?ref=v1#v2\n");
  EXPECT_EQ(query.errors(), "stack.yaml:3:12: services.web.build: 'ref=v1' conflicts with ref 'v2' in "
                            "'https://github.com/a/b.git?ref=v1#v2'");
  auto queried = load("services:\n  web:\n    build: https://github.com/a/b.git?ref=v1&subdir=app\n");
  ASSERT_TRUE(queried.stack) << queried.errors();
  EXPECT_EQ(queried.service("web").build->context, "https://github.com/a/b.git?ref=v1&subdir=app");  // kept as written
}

TEST_F(NormalizeBuild, DockerfileAndInlineExcludeEachOther) {
  auto o = load("services:\n  web:\n    build:\n      context: app\n      dockerfile: D\n"
                "      dockerfile_inline: FROM x\n");
  EXPECT_EQ(o.errors(), "stack.yaml:5:19: services.web.build.dockerfile: cannot be combined with "
                        "'dockerfile_inline'");
}

// build.secrets name top-level secrets, under the Dockerfile's id (target) when it differs.
TEST_F(NormalizeBuild, SecretsNameTopLevelSecrets) {
  auto o = load("services:\n  web:\n    build:\n      context: app\n      secrets:\n        - npmrc\n"
                "        - {source: token, target: gh}\nsecrets:\n  npmrc: {file: ./npmrc}\n"
                "  token: {environment: FROM_SHELL}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const Build& b = *o.service("web").build;
  ASSERT_EQ(b.secrets.size(), 2u);
  EXPECT_EQ(b.secrets[0].source, "npmrc");
  EXPECT_EQ(b.secrets[0].id, "npmrc");
  EXPECT_EQ(b.secrets[1].source, "token");
  EXPECT_EQ(b.secrets[1].id, "gh");
  Diagnostics diags;
  validate(*o.stack, diags);
  EXPECT_EQ(diags.format(), "");

  auto bad = load("services:\n  web:\n    build:\n      context: app\n      secrets:\n        - npmr\n"
                  "        - {source: npmrc, mode: 0400}\nsecrets:\n  npmrc: {file: ./npmrc}\n");
  EXPECT_EQ(bad.errors(), "stack.yaml:7:27: services.web.build.secrets[1].mode: not supported for a build secret: the "
                          "Dockerfile's --mount=type=secret sets it");
  auto undeclared = load("services:\n  web:\n    build:\n      context: app\n      secrets: [npmr]\n"
                         "secrets:\n  npmrc: {file: ./npmrc}\n");
  ASSERT_TRUE(undeclared.stack) << undeclared.errors();
  Diagnostics undeclared_diags;
  validate(*undeclared.stack, undeclared_diags);
  EXPECT_EQ(undeclared_diags.format(), "stack.yaml:5:17: services.web.build.secrets[0]: secret 'npmr' is not declared "
                                       "under top-level secrets (did you mean 'npmrc'?)");
}

TEST_F(NormalizeBuild, UnimplementedKeysAreRefused) {
  auto o = load("services:\n  web:\n    build:\n      context: app\n      platforms: [linux/arm64]\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:5:7: services.web.build.platforms: not supported yet: images are built for the host's "
            "platform only");
}

// cache_from / cache_to: type=local directories, relative to the project directory, and registry
// tags (a bare image reference is one, as BuildKit reads it); other kinds and bad references are
// refused at their item.
TEST_F(NormalizeBuild, LocalAndRegistryCachesOthersRefused) {
  using util::CacheOption;
  using util::CacheType;
  auto o = load("services:\n  web:\n    build:\n      context: app\n"
                "      cache_from: ['type=local,src=ci-cache', 'type=local,src=/abs', myapp:latest,\n"
                "                   'type=registry,ref=127.0.0.1:5000/app:cache']\n"
                "      cache_to: ['type=local,dest=ci-cache,mode=max', 'type=registry,ref=127.0.0.1:5000/app:cache,mode=max',\n"
                "                 type=inline]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service("web").build->cache_from,
            (std::vector<CacheOption>{{CacheType::local, at("ci-cache")}, {CacheType::local, "/abs"},
                                      {CacheType::registry, "myapp:latest"},
                                      {CacheType::registry, "127.0.0.1:5000/app:cache"}}));
  EXPECT_EQ(o.service("web").build->cache_to,
            (std::vector<CacheOption>{{CacheType::local, at("ci-cache")}, {CacheType::registry, "127.0.0.1:5000/app:cache"},
                                      {CacheType::in_image, ""}}));
  // `config` writes them back in a form that reads the same.
  const nlohmann::json printed = to_json(*o.stack)["services"]["web"]["build"];
  EXPECT_EQ(printed["cache_from"], nlohmann::json({"type=local,src=" + at("ci-cache"), "type=local,src=/abs",
                                                   "type=registry,ref=myapp:latest",
                                                   "type=registry,ref=127.0.0.1:5000/app:cache"}));
  EXPECT_EQ(printed["cache_to"], nlohmann::json({"type=local,dest=" + at("ci-cache"),
                                                 "type=registry,ref=127.0.0.1:5000/app:cache", "type=inline"}));
  auto bad = load("services:\n  web:\n    build:\n      context: app\n"
                  "      cache_from:\n        - User/App:cache\n        - type=gha\n"
                  "      cache_to: ['type=local,src=x']\n");
  EXPECT_EQ(bad.errors(),
            "stack.yaml:6:11: services.web.build.cache_from[0]: 'User/App:cache': invalid reference 'User/App:cache': "
            "repository name must be lowercase\n"
            "stack.yaml:7:11: services.web.build.cache_from[1]: 'type=gha': type=gha is not supported: stack's step "
            "cache has its own format, kept in a directory (type=local), a registry (type=registry,ref=IMAGE) or the "
            "image built (type=inline)\n"
            "stack.yaml:8:18: services.web.build.cache_to[0]: 'type=local,src=x': unexpected field 'src=x'");
}

// ssh: a list of ID[=SOCKET] or a mapping; sockets relative to the project directory; `default`
// alone is the agent of SSH_AUTH_SOCK (checked when the build starts).
TEST_F(NormalizeBuild, SshAgents) {
  auto o = load("services:\n  web:\n    build:\n      context: app\n      ssh: [default, \"gl=run/agent.sock\"]\n"
                "  api:\n    build:\n      context: app\n      ssh:\n        default:\n        other: /abs.sock\n");
  ASSERT_TRUE(o.stack) << o.errors();
  std::map<std::string, std::string> web{{"default", ""}, {"gl", at("run/agent.sock")}};
  EXPECT_EQ(o.service("web").build->ssh, web);
  std::map<std::string, std::string> api{{"default", ""}, {"other", "/abs.sock"}};
  EXPECT_EQ(o.service("api").build->ssh, api);
  auto bad = load("services:\n  web:\n    build:\n      context: app\n      ssh: [\"=x\"]\n");
  EXPECT_EQ(bad.errors(), "stack.yaml:5:13: services.web.build.ssh[0]: expected ID or ID=SOCKET (default: the agent of "
                          "SSH_AUTH_SOCK)");
}

// additional_contexts: a mapping or NAME=VALUE list; directories (and oci-layout:// paths)
// relative to the project directory; docker-image:// and service: kept; other schemes refused.
TEST_F(NormalizeBuild, AdditionalContexts) {
  std::filesystem::create_directories(dir_ / "extra");
  auto o = load("services:\n  web:\n    build:\n      context: app\n      additional_contexts:\n"
                "        extra: ./extra\n        img: docker-image://busybox\n        base: service:base\n"
                "        layout: oci-layout://./lay:v1\n        abs: oci-layout:///srv/lay@sha256:" + std::string(64, 'a') + "\n"
                "  base:\n    build: app\n  api:\n    build:\n      context: app\n"
                "      additional_contexts: [\"x=extra\"]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const Build& b = *o.service("web").build;
  ASSERT_EQ(b.additional_contexts.size(), 5u);
  EXPECT_EQ(b.additional_contexts[3].value, "oci-layout://" + at("lay") + ":v1");  // relative to the project
  EXPECT_EQ(b.additional_contexts[4].value, "oci-layout:///srv/lay@sha256:" + std::string(64, 'a'));
  EXPECT_EQ(b.additional_contexts[0].name, "extra");
  EXPECT_EQ(b.additional_contexts[0].value, at("extra"));
  EXPECT_EQ(b.additional_contexts[1].value, "docker-image://busybox");
  EXPECT_EQ(b.additional_contexts[2].value, "service:base");
  ASSERT_EQ(o.service("api").build->additional_contexts.size(), 1u);
  EXPECT_EQ(o.service("api").build->additional_contexts[0].value, at("extra"));
  Diagnostics diags;
  validate(*o.stack, diags);
  EXPECT_EQ(diags.format(), "");

  auto bad = load("services:\n  web:\n    build:\n      context: app\n      additional_contexts:\n"
                  "        a: ./nope\n        b: 'oci-layout://'\n        c: ftp://x/y.tar\n        d: ''\n"
                  "        e: https://x/y.git\n        f: 'https://x/y.git##tag=1'\n");
  EXPECT_EQ(bad.errors(),
            "stack.yaml:6:12: services.web.build.additional_contexts.a: build context '" + at("nope") +
                "' is not a directory\n"
                "stack.yaml:7:12: services.web.build.additional_contexts.b: oci-layout:// names no directory\n"
                "stack.yaml:8:12: services.web.build.additional_contexts.c: not supported yet: a remote context "
                "that is neither a git repository nor an http(s) URL ('ftp://x/y.tar'); use a local directory\n"
                "stack.yaml:9:12: services.web.build.additional_contexts.d: must not be empty\n"
                "stack.yaml:11:12: services.web.build.additional_contexts.f: unexpected key 'tag' in the fragment of "
                "'https://x/y.git##tag=1' (supported keys: ref, commit, subdir)");
}

TEST_F(NormalizeBuild, ServiceContextsNameBuiltServicesWithoutCycles) {
  auto o = load("services:\n  a:\n    build:\n      context: app\n      additional_contexts:\n"
                "        b: service:b\n  b:\n    build:\n      context: app\n      additional_contexts:\n"
                "        a: service:a\n  c:\n    image: busybox\n  d:\n    build:\n      context: app\n"
                "      additional_contexts: {x: 'service:c', y: 'service:nope'}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  Diagnostics diags;
  validate(*o.stack, diags);
  EXPECT_EQ(diags.format(),
            "stack.yaml:11:12: services.b.build.additional_contexts.a: build context cycle: a -> b -> a\n"
            "stack.yaml:17:32: services.d.build.additional_contexts.x: service 'c' has no build\n"
            "stack.yaml:17:48: services.d.build.additional_contexts.y: unknown service 'nope'");
}

TEST_F(NormalizeBuild, UnknownKeyGetsASuggestion) {
  auto o = load("services:\n  web:\n    build:\n      context: app\n      dockerfil: D\n");
  EXPECT_THAT(o.errors(), HasSubstr("stack.yaml:5:7: services.web.build: unknown key 'dockerfil'"));
  EXPECT_THAT(o.errors(), HasSubstr("dockerfile"));
}

TEST_F(NormalizeBuild, OtherNetworksAreRefused) {
  auto o = load("services:\n  web:\n    build:\n      context: app\n      network: backend\n");
  EXPECT_EQ(o.errors(), "stack.yaml:5:16: services.web.build.network: network 'backend' cannot be a build's: RUN "
                        "steps run on none, default (a bridge of the build's own) or host, as with BuildKit, which "
                        "refuses a network's name");
  EXPECT_FALSE(load("services:\n  web:\n    build:\n      context: app\n      network: bridge\n").errors().empty());
}

TEST_F(NormalizeBuild, WrongType) {
  auto o = load("services:\n  web:\n    build: [a]\n");
  EXPECT_THAT(o.errors(), HasSubstr("stack.yaml:3:12: services.web.build: expected a string (the "
                                    "context) or a mapping"));
}

TEST_F(NormalizeBuild, PullPolicyBuildAndAlways) {
  auto ok = load("services:\n  web:\n    build: app\n    pull_policy: build\n");
  ASSERT_TRUE(ok.stack) << ok.errors();
  EXPECT_EQ(ok.service("web").pull_policy, PullPolicy::build);
  auto refused = load("services:\n  web:\n    build: app\n    pull_policy: always\n");
  EXPECT_THAT(refused.errors(), HasSubstr("stack.yaml:4:18: services.web.pull_policy: not supported "
                                          "yet with 'build'"));
}

TEST_F(NormalizeBuild, ImageIdIsInTheHashBuildIsNot) {
  auto o = load("services:\n  web:\n    build: app\n");
  ASSERT_TRUE(o.stack) << o.errors();
  Service s = o.service("web");
  std::string without_id = config_hash(s);
  s.build->args["X"] = "1";  // a changed build section alone changes no container
  EXPECT_EQ(config_hash(s), without_id);
  s.image_id = "sha256:aaaa";
  std::string with_id = config_hash(s);
  EXPECT_NE(with_id, without_id);
  s.image_id = "sha256:bbbb";
  EXPECT_NE(config_hash(s), with_id);
}

TEST_F(NormalizeBuild, SerializedAsCompose) {
  auto o = load("services:\n  web:\n    build:\n      context: app\n      args: {A: 1}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  nlohmann::json j = to_json(o.service("web"));
  EXPECT_EQ(j["build"]["context"], at("app"));
  EXPECT_EQ(j["build"]["args"]["A"], "1");
  EXPECT_EQ(j["image"], "demo-web");
}

}  // namespace
}  // namespace stack::spec

namespace stack::spec {
namespace {

class BuildPaths : public testing::LoadTest {};

// A service from another file keeps its own file's directory as the base of its context, also
// when the mapping form leaves the context out (".").
TEST_F(BuildPaths, ContextsOfOtherFilesAreTheirs) {
  write("lib/app/Dockerfile", "FROM busybox\n");
  write("lib/base.yaml",
        "services:\n  one:\n    build: ./app\n  two:\n    build:\n      dockerfile: app/Dockerfile\n");
  write("stack.yaml",
        "services:\n  web:\n    extends: {file: lib/base.yaml, service: one}\n"
        "  api:\n    extends: {file: lib/base.yaml, service: two}\n");
  LoadOutcome o = load_files({"stack.yaml"});
  ASSERT_TRUE(o.stack) << o.diagnostics.format();
  EXPECT_EQ(service(o, "web").build->context, path("lib/app"));
  EXPECT_EQ(service(o, "web").image, "demo-web");
  EXPECT_EQ(service(o, "api").build->context, path("lib"));
  EXPECT_EQ(service(o, "api").build->dockerfile, path("lib/app/Dockerfile"));
}

}  // namespace
}  // namespace stack::spec
