// develop.watch: read with every field, checked at its items, printed, left out of the hash.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/hash.hpp"
#include "spec/serialize.hpp"
#include "unit/spec/normalize_fixture.hpp"

namespace stack::spec {
namespace {

using namespace stack::spec::testing;

TEST(Develop, EveryFieldOfARule) {
  NormalizeContext ctx = test_context();
  ctx.working_dir = "/tmp";  // the build context must exist
  auto o = run("services:\n  a:\n    image: x\n"
                       "    build: .\n"
                       "    develop:\n"
                       "      watch:\n"
                       "        - path: ./web/html\n"
                       "          action: sync\n"
                       "          target: /var/www/\n"
                       "          initial_sync: true\n"
                       "          ignore: [node_modules/]\n"
                       "          include: \"*.html\"\n"
                       "        - path: conf\n"
                       "          action: sync+exec\n"
                       "          target: etc/app\n"
                       "          exec:\n"
                       "            command: app reload\n"
                       "            user: root\n"
                       "            working_dir: /srv\n"
                       "            environment: [MODE=dev]\n"
                       "        - path: /abs/src\n"
                       "          action: rebuild\n"
                       "        - {path: a, action: restart}\n"
                       "        - {path: b, action: sync+restart, target: /b}\n",
               ctx);
  ASSERT_TRUE(o.stack) << o.errors();
  const Service& a = o.service();
  ASSERT_EQ(a.watch.size(), 5u);
  const WatchRule& sync = a.watch[0];
  EXPECT_EQ(sync.path, "/tmp/web/html");
  EXPECT_EQ(sync.action, WatchRule::Action::sync);
  EXPECT_EQ(sync.target, "/var/www");
  EXPECT_TRUE(sync.initial_sync);
  EXPECT_THAT(sync.ignore, ::testing::ElementsAre("node_modules/"));
  EXPECT_THAT(sync.include, ::testing::ElementsAre("*.html"));
  EXPECT_EQ(sync.location.mark.line, 7);
  const WatchRule& exec = a.watch[1];
  EXPECT_EQ(exec.action, WatchRule::Action::sync_exec);
  EXPECT_EQ(exec.target, "/etc/app");  // below the container's "/", as compose copies it
  ASSERT_TRUE(exec.exec);
  EXPECT_THAT(exec.exec->command, ::testing::ElementsAre("app", "reload"));
  EXPECT_EQ(exec.exec->user, "root");
  EXPECT_EQ(exec.exec->working_dir, "/srv");
  EXPECT_EQ(exec.exec->environment.at("MODE"), "dev");
  EXPECT_EQ(a.watch[2].path, "/abs/src");
  EXPECT_EQ(a.watch[2].action, WatchRule::Action::rebuild);
  EXPECT_EQ(a.watch[3].action, WatchRule::Action::restart);
  EXPECT_EQ(a.watch[4].action, WatchRule::Action::sync_restart);

  nlohmann::json j = to_json(a);
  EXPECT_EQ(j["develop"]["watch"][0],
            nlohmann::json({{"path", "/tmp/web/html"}, {"action", "sync"}, {"target", "/var/www"},
                            {"initial_sync", true}, {"ignore", {"node_modules/"}}, {"include", {"*.html"}}}));
  EXPECT_EQ(j["develop"]["watch"][1]["exec"]["command"], nlohmann::json({"app", "reload"}));
  EXPECT_EQ(j["develop"]["watch"][3], nlohmann::json({{"path", "/tmp/a"}, {"action", "restart"}}));
}

TEST(Develop, RulesDoNotChangeTheConfigHash) {
  auto plain = run_service("");
  auto watched = run_service("    develop:\n      watch: [{path: ., action: restart}]\n");
  ASSERT_TRUE(plain.stack && watched.stack) << watched.errors();
  EXPECT_EQ(config_hash(plain.service()), config_hash(watched.service()));
}

TEST(Develop, BadRulesAreRefusedAtTheirField) {
  auto o = run_service("    develop:\n"
                       "      watch:\n"
                       "        - action: sync\n"
                       "          target: /x\n"
                       "        - path: .\n"
                       "        - path: .\n"
                       "          action: copy\n"
                       "        - path: .\n"
                       "          action: sync\n"
                       "        - path: .\n"
                       "          action: sync+exec\n"
                       "          target: /x\n"
                       "        - path: .\n"
                       "          action: restart\n"
                       "          target: /x\n"
                       "        - path: .\n"
                       "          action: rebuild\n"
                       "        - path: .\n"
                       "          action: sync\n"
                       "          target: /x\n"
                       "          exec: {command: x}\n"
                       "        - path: .\n"
                       "          action: restart\n"
                       "          initial_sync: true\n"
                       "        - path: .\n"
                       "          action: sync\n"
                       "          target: /x\n"
                       "          nope: 1\n");
  EXPECT_THAT(o.errors(), ::testing::StartsWith(
      "stack.yaml:6:11: services.a.develop.watch[0]: missing 'path'\n"
      "stack.yaml:8:11: services.a.develop.watch[1]: missing 'action'\n"
      "stack.yaml:10:19: services.a.develop.watch[2].action: 'copy' is not an action (sync, rebuild, "
      "sync+restart, restart or sync+exec)\n"
      "stack.yaml:11:11: services.a.develop.watch[3]: action 'sync' needs a 'target'\n"
      "stack.yaml:13:11: services.a.develop.watch[4]: action 'sync+exec' needs 'exec'\n"
      "stack.yaml:18:19: services.a.develop.watch[5].target: only the sync actions copy to a target\n"
      "stack.yaml:24:17: services.a.develop.watch[7].exec: only with action 'sync+exec'\n"
      "stack.yaml:27:25: services.a.develop.watch[8].initial_sync: only with a sync action\n"
      "stack.yaml:31:11: services.a.develop.watch[9]: unknown key 'nope'"));
  EXPECT_THAT(o.errors(), ::testing::HasSubstr(
      "stack.yaml:20:19: services.a.develop.watch[6].action: 'rebuild' needs the service's 'build'"));
}

TEST(Develop, WatchMustBeAList) {
  auto o = run_service("    develop:\n      watch: {path: .}\n");
  EXPECT_THAT(o.errors(), ::testing::HasSubstr("services.a.develop.watch: expected a list"));
  auto keys = run_service("    develop:\n      wach: []\n");
  EXPECT_THAT(keys.errors(), ::testing::HasSubstr("services.a.develop: unknown key 'wach'"));
}

}  // namespace
}  // namespace stack::spec
