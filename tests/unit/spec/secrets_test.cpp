// secrets: and configs:, top level and per service: sources, short and long syntax, targets,
// owners and modes, swarm-only forms refused, references checked, config output without content.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/serialize.hpp"
#include "spec/validate.hpp"
#include "unit/spec/load_fixture.hpp"
#include "unit/spec/normalize_fixture.hpp"

namespace stack::spec {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace stack::spec::testing;

Outcome run_with_env(std::string_view yaml, Environment env) {
  NormalizeContext ctx = test_context();
  ctx.environment = std::move(env);
  return run(yaml, ctx);
}

TEST(Secrets, SourcesShortAndLongSyntax) {
  auto o = run_with_env(
      "services:\n  a:\n    image: x\n    secrets:\n      - db_pw\n"
      "      - {source: api, target: api.key, uid: '103', gid: 104, mode: 0440}\n"
      "      - {source: db_pw, target: /etc/app/pw/}\n"
      "    configs:\n      - nginx\n      - {source: inline, target: /etc/app.conf, mode: 288}\n"
      "secrets:\n  db_pw: {file: ./pw.txt}\n  api: {environment: API_KEY}\n"
      "configs:\n  nginx: {file: /srv/nginx.conf}\n  inline: {content: \"a=1\\n\"}\n",
      {{"API_KEY", "s3cret"}});
  ASSERT_TRUE(o.stack) << o.errors();
  const Service& a = o.service();
  ASSERT_EQ(a.secrets.size(), 3u);
  EXPECT_EQ(a.secrets[0].target, "/run/secrets/db_pw");
  EXPECT_EQ(a.secrets[1].target, "/run/secrets/api.key");
  EXPECT_EQ(a.secrets[1].uid, 103u);
  EXPECT_EQ(a.secrets[1].gid, 104u);
  EXPECT_EQ(a.secrets[1].mode, 0440u);
  EXPECT_EQ(a.secrets[2].target, "/etc/app/pw");
  ASSERT_EQ(a.configs.size(), 2u);
  EXPECT_EQ(a.configs[0].target, "/nginx");
  EXPECT_EQ(a.configs[1].mode, 0440u);  // 288 decimal, as YAML reads it
  const FileSource* pw = o.stack->find_secret("db_pw");
  ASSERT_NE(pw, nullptr);
  EXPECT_EQ(pw->file, "/srv/app/pw.txt");
  EXPECT_EQ(o.stack->find_secret("api")->content, "s3cret");
  EXPECT_EQ(o.stack->find_config("inline")->content, "a=1\n");
}

TEST(Secrets, ConfigOutputShowsTheSourceNeverAVariablesValue) {
  auto o = run_with_env(
      "services:\n  a:\n    image: x\n    secrets: [api]\nsecrets:\n  api: {environment: API_KEY}\n",
      {{"API_KEY", "s3cret"}});
  ASSERT_TRUE(o.stack) << o.errors();
  nlohmann::json j = to_json(*o.stack);
  EXPECT_EQ(j["secrets"]["api"], nlohmann::json({{"name", "demo_api"}, {"environment", "API_KEY"}}));
  EXPECT_EQ(j["services"]["a"]["secrets"][0],
            nlohmann::json({{"source", "api"}, {"target", "/run/secrets/api"}}));
  EXPECT_THAT(j.dump(), Not(HasSubstr("s3cret")));
}

TEST(Secrets, SwarmFormsAndBadSourcesAreRefusedWithTheReason) {
  auto o = run_with_env(
      "services: {}\nsecrets:\n  a: {external: true}\n  b: {file: x, environment: Y}\n"
      "  c: {content: text}\n  d: {environment: NOT_SET}\n  e: {name: x}\n"
      "  f: {file: x, driver: vault}\nconfigs:\n  g: {file: x, template_driver: golang}\n",
      {});
  EXPECT_EQ(o.errors(),
            "stack.yaml:3:7: secrets.a.external: external secrets live in a swarm, which stack does "
            "not use: use 'file' or 'environment'\n"
            "stack.yaml:4:16: secrets.b.environment: cannot be combined with 'file'\n"
            "stack.yaml:5:7: secrets.c.content: a secret cannot be written inline: use 'file' or "
            "'environment'\n"
            "stack.yaml:6:20: secrets.d.environment: variable 'NOT_SET' is not set\n"
            "stack.yaml:7:3: secrets.e: needs 'file' or 'environment'\n"
            "stack.yaml:8:16: secrets.f.driver: secret drivers need a swarm, which stack does not use\n"
            "stack.yaml:10:16: configs.g.template_driver: not supported yet: templates are rendered "
            "by swarm; write the file itself");
}

TEST(Secrets, ServiceErrors) {
  auto o = run("services:\n  a:\n    image: x\n    volumes: ['/h:/run/secrets/s']\n"
               "    secrets:\n      - s\n      - {target: /t}\n      - {source: t, mode: '0999'}\n"
               "      - [x]\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:6:9: services.a.secrets[0]: target /run/secrets/s already mounted as "
            "services.a.volumes[0]\n"
            "stack.yaml:7:9: services.a.secrets[1]: missing 'source'\n"
            "stack.yaml:8:27: services.a.secrets[2].mode: \"0999\" is not a valid file mode\n"
            "stack.yaml:9:9: services.a.secrets[3]: expected a name or a mapping, got a list");
}

TEST(Secrets, UndeclaredReferencesAreReportedByValidate) {
  auto o = run("services:\n  a:\n    image: x\n    secrets: [db_pw]\n    configs: [nginx]\n"
               "secrets:\n  db_pwd: {file: x}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  Diagnostics diags;
  validate(*o.stack, diags);
  EXPECT_EQ(diags.format(),
            "stack.yaml:4:15: services.a.secrets[0]: secret 'db_pw' is not declared under top-level "
            "secrets (did you mean 'db_pwd'?)\n"
            "stack.yaml:5:15: services.a.configs[0]: config 'nginx' is not declared under top-level "
            "configs");
}

class SecretsLoad : public LoadTest {};

TEST_F(SecretsLoad, IncludedSecretFilesResolveInTheirProjectDirectory) {
  write("stack.yaml", "include: [sub/compose.yaml]\n");
  write("sub/compose.yaml",
        "services:\n  a:\n    image: x\n    secrets: [pw]\nsecrets:\n  pw: {file: ./pw.txt}\n");
  LoadOutcome o = load_files({"stack.yaml"});
  ASSERT_TRUE(o.stack) << o.diagnostics.format();
  EXPECT_EQ(o.stack->find_secret("pw")->file, path("sub/pw.txt"));
}

}  // namespace
}  // namespace stack::spec
