#include "build/stage_graph.hpp"

#include <gtest/gtest.h>

#include "build/cache_key.hpp"

namespace stack::build {
namespace {

Dockerfile parse(const std::string& text) {
  auto df = parse_dockerfile(text, "Dockerfile");
  EXPECT_TRUE(df) << df.error().message();
  return df ? *df : Dockerfile{};
}

constexpr const char* kMulti =
    "ARG BASE=busybox\n"
    "FROM ${BASE} AS deps\n"
    "RUN a\n"
    "FROM deps AS build\n"
    "RUN b\n"
    "FROM scratch AS docs\n"
    "COPY x /x\n"
    "FROM busybox AS final\n"
    "COPY --from=build /out /out\n"
    "COPY --from=0 /d /d\n";

TEST(StageGraph, OnlyWhatTheTargetNeeds) {
  Dockerfile df = parse(kMulti);
  auto plan = plan_stages(df, "", {});
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->order, (std::vector<int>{0, 1, 3}));
  EXPECT_EQ(plan->base.at(0).type, Source::Type::image);
  EXPECT_EQ(plan->base.at(0).image, "busybox");
  EXPECT_EQ(plan->base.at(1).type, Source::Type::stage);
  EXPECT_EQ(plan->base.at(1).stage, 0);
  EXPECT_EQ(plan->base.at(2).type, Source::Type::scratch);
  EXPECT_EQ(plan->copy_from.at({3, 0}).stage, 1);
  EXPECT_EQ(plan->copy_from.at({3, 1}).stage, 0);

  auto docs = plan_stages(df, "docs", {});
  ASSERT_TRUE(docs);
  EXPECT_EQ(docs->order, (std::vector<int>{2}));
  auto deps = plan_stages(df, "DEPS", {});
  ASSERT_TRUE(deps);
  EXPECT_EQ(deps->order, (std::vector<int>{0}));
}

// A RUN's bind mount from a stage needs that stage, as COPY --from does.
TEST(StageGraph, RunMountFromAStage) {
  Dockerfile df = parse(
      "FROM busybox AS tools\n"
      "FROM busybox AS unused\n"
      "FROM busybox\n"
      "RUN --mount=type=cache,target=/c --mount=from=tools,source=/bin,target=/t --mount=type=bind,from=alpine:3,target=/a true\n");
  auto plan = plan_stages(df, "", {});
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->order, (std::vector<int>{0, 2}));
  EXPECT_FALSE(plan->mount_from.count({2, 0, 0}));
  EXPECT_EQ(plan->mount_from.at({2, 0, 1}).stage, 0);
  EXPECT_EQ(plan->mount_from.at({2, 0, 2}).type, Source::Type::image);
  EXPECT_EQ(plan->mount_from.at({2, 0, 2}).image, "alpine:3");

  auto later = plan_stages(parse("FROM busybox\nRUN --mount=from=next,target=/n true\nFROM busybox AS next\n"), "", {});
  ASSERT_FALSE(later);
  EXPECT_EQ(later.error().message(), "Dockerfile:2:1: 'next' refers to stage 1, defined at or after this one");
  auto bad = plan_stages(parse("FROM busybox\nRUN --mount=type=cache true\n"), "", {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "Dockerfile:2:1: RUN --mount: type=cache needs a target");
}

TEST(StageGraph, MetaArgsAndBuildArgs) {
  Dockerfile df = parse(kMulti);
  auto plan = plan_stages(df, "", {{"BASE", "alpine:3"}, {"UNUSED", "1"}});
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->base.at(0).image, "alpine:3");
  EXPECT_TRUE(plan->consumed_args.count("BASE"));
  EXPECT_FALSE(plan->consumed_args.count("UNUSED"));
  EXPECT_EQ(plan->meta_args.at("TARGETARCH"), "amd64");
  EXPECT_EQ(plan->meta_args.at("TARGETPLATFORM"), "linux/amd64");
}

TEST(StageGraph, CopyFromAnImage) {
  auto plan = plan_stages(parse("FROM scratch\nCOPY --from=nginx:1 /etc/nginx /n\n"), "", {});
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->copy_from.at({0, 0}).type, Source::Type::image);
  EXPECT_EQ(plan->copy_from.at({0, 0}).image, "nginx:1");
}

TEST(StageGraph, Errors) {
  auto missing = plan_stages(parse(kMulti), "nope", {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "target stage 'nope' not found in Dockerfile");
  auto later = plan_stages(parse("FROM scratch AS a\nCOPY --from=b /x /x\nFROM scratch AS b\n"), "", {});
  ASSERT_FALSE(later);
  EXPECT_EQ(later.error().message(), "Dockerfile:2:1: 'b' refers to stage 1, defined at or after this one");
  auto self = plan_stages(parse("FROM scratch\nCOPY --from=0 /x /x\n"), "", {});
  ASSERT_FALSE(self);
  EXPECT_EQ(self.error().message(), "Dockerfile:2:1: --from=0 refers to stage 0, defined at or after this one");
  auto platform = plan_stages(parse("FROM --platform=linux/arm64 busybox\n"), "", {});
  ASSERT_FALSE(platform);
  EXPECT_EQ(platform.error().message(), "Dockerfile:1:1: --platform=linux/arm64: only linux/amd64 is built here");
  auto ok_platform = plan_stages(parse("FROM --platform=$BUILDPLATFORM busybox\n"), "", {});
  EXPECT_TRUE(ok_platform) << ok_platform.error().message();
  auto empty = plan_stages(parse("ARG B\nFROM ${B}\n"), "", {});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message(), "Dockerfile:2:1: FROM names no image (an empty ARG?)");
}

TEST(CacheKey, ChainsAndDiffers) {
  std::string base = base_key("image:sha256:abc", 0);
  EXPECT_EQ(base, base_key("image:sha256:abc", 0));
  EXPECT_NE(base, base_key("image:sha256:abc", 1));
  EXPECT_NE(base, base_key("scratch", 0));
  EXPECT_EQ(base.size(), 64u);
  std::string a = step_key(base, "RUN [\"sh\",\"-c\",\"make\"]");
  EXPECT_EQ(a, step_key(base, "RUN [\"sh\",\"-c\",\"make\"]"));
  EXPECT_NE(a, step_key(base, "RUN [\"sh\",\"-c\",\"make all\"]"));
  EXPECT_NE(a, step_key(base_key("scratch", 0), "RUN [\"sh\",\"-c\",\"make\"]"));
  // The separator keeps parent and step apart: no two splits of one text collide.
  EXPECT_NE(step_key("ab", "c"), step_key("a", "bc"));
}

}  // namespace
}  // namespace stack::build
