// The daemon's status: systemd's one-line STATUS= and the JSON of `stack daemon status`.
#include "daemon/status.hpp"

#include <gtest/gtest.h>

namespace stack::daemon {
namespace {

DaemonStatus sample() {
  DaemonStatus s;
  s.stacks_dir = "/etc/stack/stacks.d";
  s.projects["blog"] = {"blog", "blog", {"/etc/stack/stacks.d/blog.yaml"}, ProjectPhase::converged, 3, 3, "", {}, {}, 0};
  s.projects["shop"] = {"shop", "shop", {"/etc/stack/stacks.d/shop.yaml"}, ProjectPhase::failing, 8, 9,
                        "container shop-db-1: no such image", {}, {}, 2};
  s.projects["wiki"] = {"wiki", "", {}, ProjectPhase::invalid, 0, 0, "wiki.yaml:3:5: services.web: bad", {}, {}, 0};
  return s;
}

TEST(DaemonStatus, SummaryLineCountsStacksContainersAndFailures) {
  EXPECT_EQ(summary_line(sample()), "3 stacks, 11/12 running, 2 failing: shop, wiki");
  DaemonStatus one;
  one.projects["blog"] = sample().projects["blog"];
  EXPECT_EQ(summary_line(one), "1 stack, 3/3 running");
  EXPECT_EQ(summary_line(DaemonStatus{}), "0 stacks, 0/0 running");
}

TEST(DaemonStatus, JsonNamesEachProjectsStateAndError) {
  nlohmann::json j = to_json(sample());
  ASSERT_EQ(j["projects"].size(), 3u);
  EXPECT_EQ(j["projects"][1]["state"], "failing");
  EXPECT_TRUE(j["projects"][1].contains("retry_at"));
  EXPECT_EQ(j["projects"][2]["state"], "invalid");
  EXPECT_EQ(j["projects"][2]["last_error"], "wiki.yaml:3:5: services.web: bad");
  EXPECT_FALSE(j["projects"][0].contains("retry_at"));
}

}  // namespace
}  // namespace stack::daemon
