// ONBUILD through the binary: a base image's triggers run in the build that starts FROM it, in
// order and with that build's context, and are gone from the image that build makes.
#include "build_fixture.hpp"

#include <nlohmann/json.hpp>

namespace stack::build {
namespace {

TEST_F(BuildTest, OnbuildTriggersRunInTheChildBuild) {
  write("Dockerfile",
        "FROM busybox\n"
        "ONBUILD COPY app.txt /app/\n"
        "ONBUILD RUN cat /app/app.txt > /triggered\n");
  built_id(build("-t bld-onbuild-base:1"));
  auto base = find("bld-onbuild-base:1");
  ASSERT_TRUE(base.has_value());
  EXPECT_FALSE(view("bld-onbuild-base:1").lookup("triggered").has_value()) << "a trigger ran in its own image";

  write("app.txt", "from the child's context\n");
  write("Dockerfile", "FROM bld-onbuild-base:1\nRUN cp /triggered /after\n");
  Outcome child = build("-t bld-onbuild-child:1");
  std::string id = built_id(child);
  EXPECT_NE(child.err.find("[stage-0 2/4] ONBUILD COPY app.txt /app/"), std::string::npos) << child.err;
  RootfsView v = view("bld-onbuild-child:1");
  EXPECT_EQ(read_view(v, "triggered"), "from the child's context\n");
  EXPECT_EQ(read_view(v, "after"), "from the child's context\n") << "the triggers did not run before the body";
  std::string inspect = stack("image inspect bld-onbuild-child:1").out;
  auto j = nlohmann::json::parse(inspect, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << inspect;
  const auto& config = j.is_array() ? j[0]["Config"] : j["Config"];
  EXPECT_TRUE(!config.contains("OnBuild") || config["OnBuild"].empty()) << inspect;
  EXPECT_EQ(built_id(build("-t bld-onbuild-child:1")), id) << "a rebuild with the triggers is not all cache";

  // A trigger that cannot run is named at the FROM line, before anything runs.
  std::filesystem::remove(context() + "/app.txt");
  Outcome missing = build("-t bld-onbuild-child:2");
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "stack: Dockerfile:1:1: 'app.txt' not found in the build context (or excluded by .dockerignore)\n");
}

}  // namespace
}  // namespace stack::build
