// post_start and pre_stop: read, checked at their items, and printed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/serialize.hpp"
#include "unit/spec/normalize_fixture.hpp"

namespace stack::spec {
namespace {

using namespace stack::spec::testing;

TEST(Hooks, EveryFieldOfBothLists) {
  auto o = run_service("    post_start:\n"
                       "      - command: ./warm-up.sh --fast\n"
                       "        user: root\n"
                       "        privileged: true\n"
                       "        working_dir: /srv\n"
                       "        environment: [MODE=fast]\n"
                       "    pre_stop:\n"
                       "      - command: [\"drain\", \"a b\"]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const Service& a = o.service();
  ASSERT_EQ(a.post_start.size(), 1u);
  EXPECT_THAT(a.post_start[0].command, ::testing::ElementsAre("./warm-up.sh", "--fast"));
  EXPECT_EQ(a.post_start[0].user, "root");
  EXPECT_TRUE(a.post_start[0].privileged);
  EXPECT_EQ(a.post_start[0].working_dir, "/srv");
  EXPECT_EQ(a.post_start[0].environment.at("MODE"), "fast");
  EXPECT_EQ(a.post_start[0].location.mark.line, 5);
  ASSERT_EQ(a.pre_stop.size(), 1u);
  EXPECT_THAT(a.pre_stop[0].command, ::testing::ElementsAre("drain", "a b"));
  EXPECT_FALSE(a.pre_stop[0].privileged);
  nlohmann::json j = to_json(a);
  EXPECT_EQ(j["post_start"][0]["command"], nlohmann::json({"./warm-up.sh", "--fast"}));
  EXPECT_EQ(j["post_start"][0]["privileged"], true);
  EXPECT_EQ(j["pre_stop"][0], nlohmann::json({{"command", {"drain", "a b"}}}));
}

TEST(Hooks, BadHooksAreRefusedAtTheirField) {
  auto o = run_service("    post_start:\n"
                       "      - user: root\n"
                       "      - command: x\n"
                       "        working_dir: srv\n"
                       "      - command: []\n"
                       "    pre_stop: drain\n");
  EXPECT_THAT(o.errors(), ::testing::StartsWith(
                              "stack.yaml:5:9: services.a.post_start[0]: missing 'command'\n"
                              "stack.yaml:7:22: services.a.post_start[1].working_dir: 'srv' is not an absolute path\n"
                              "stack.yaml:8:18: services.a.post_start[2].command: is empty\n"
                              "stack.yaml:9:15: services.a.pre_stop: expected a list"));
}

}  // namespace
}  // namespace stack::spec
