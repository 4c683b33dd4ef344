// Compose's side of builds through the real binary, as root: `build:` in the stack file with
// args, `stack build`, `up` building a missing image, `up --build` recreating the service whose
// image changed (and only then), a failing build naming its service, build secrets, named
// contexts (additional_contexts). Subnets 10.231.124-127.0/24, 10.231.151.0/24 and
// 10.231.82-83.0/24 (e2e indexes 60..63, 87, 18 and 19), which no other test uses;
// the RUN steps' build network takes its /24 from 10.231.6.0/23, as in build_fixture.hpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "build/build_network.hpp"
#include "build/rootfs_view.hpp"
#include "integration/orchestrator/e2e_fixture.hpp"

namespace stack::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kDockerfile =
    "FROM busybox\n"
    "ARG GREETING=default\n"
    "COPY page.txt /page.txt\n"
    "RUN echo \"$GREETING\" > /greeting\n"
    "CMD [\"sleep\", \"600\"]\n";

class ComposeBuild : public StackTest {
 protected:
  void SetUp() override {
    StackTest::SetUp();
    ::setenv("STACK_BUILD_POOL", "10.231.6.0/23", 1);
  }

  void TearDown() override {
    StackTest::TearDown();
    namespace fs = std::filesystem;
    std::error_code ec;
    for (fs::directory_iterator it(root_ / "builds", ec), end; !ec && it != end; it.increment(ec)) {
      ADD_FAILURE() << "build scratch dir left: " << it->path();
    }
    EXPECT_FALSE(fs::exists(root_ / "build-net")) << "a build network's record is left";
    for (const char* subnet : {"10.231.6.0/24", "10.231.7.0/24"}) {
      std::string bridge = build::build_bridge_name(root_.path(), *util::Subnet::parse(subnet));
      EXPECT_NE(std::system(("ip link show " + bridge + " >/dev/null 2>&1").c_str()), 0) << "build bridge left: " << bridge;
    }
  }

  std::string app_dir() const { return root_ / "app"; }

  void write_app(const std::string& page) {
    std::filesystem::create_directories(app_dir());
    ASSERT_TRUE(test::write_text(app_dir() + "/Dockerfile", kDockerfile));
    ASSERT_TRUE(test::write_text(app_dir() + "/page.txt", page));
  }

  // One service `web` built from ./app (relative to the stack file) with a build arg.
  void write_web() {
    write_stack(
        "  web:\n"
        "    build:\n"
        "      context: ./app\n"
        "      args:\n"
        "        GREETING: hello-from-args\n"
        "    init: true\n");
  }

  std::string image() const { return project_ + "-web"; }

  // `stack build` on these services fails with `error` and builds nothing; the file is `web`'s
  // again afterwards, as teardown's `down` reads it.
  void expect_refused(const std::string& services, const std::string& error) {
    write_stack(services);
    Outcome refused = stack("build");
    EXPECT_EQ(refused.code, 1);
    EXPECT_THAT(refused.err, HasSubstr(error));
    EXPECT_FALSE(find_image().has_value());
    write_web();
  }

  std::optional<image::Image> find_image() const {
    auto store = image::Store::open(root_.path());
    if (!store) return std::nullopt;
    auto found = (*store)->find(image());
    return found ? *found : std::nullopt;
  }

  std::string read_in_image(const std::string& path) const {
    auto img = find_image();
    if (!img) return "<no image>";
    auto store = image::Store::open(root_.path());
    auto dirs = (*store)->layer_dirs(*img);
    if (!dirs) return "<no layers>";
    return build::RootfsView(*dirs).read_small_file(path).value_or("<missing>");
  }

  std::string started_at(const std::string& name) const {
    auto all = ps();
    auto it = all.find(name);
    return it == all.end() ? "" : it->second["StartedAt"].get<std::string>();
  }
};

TEST_F(ComposeBuild, BuildTagsTheProjectServiceNameWithTheArgs) {
  start(60);
  write_app("page one\n");
  write_web();
  Outcome built = stack("build");
  ASSERT_EQ(built.code, 0) << built.err;
  EXPECT_THAT(built.err, HasSubstr("Building web (" + image() + ")"));
  EXPECT_THAT(built.err, HasSubstr("naming to " + image() + ":latest"));
  ASSERT_TRUE(find_image().has_value());
  EXPECT_EQ(read_in_image("greeting"), "hello-from-args\n");
  EXPECT_EQ(read_in_image("page.txt"), "page one\n");

  // --build-arg wins over the file's args; `stack build` always builds.
  Outcome again = stack("build --build-arg GREETING=from-cli web");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(read_in_image("greeting"), "from-cli\n");

  Outcome unknown = stack("build nope");
  EXPECT_EQ(unknown.code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no such service: nope"));
}

TEST_F(ComposeBuild, UpBuildsAMissingImageAndUpBuildRecreatesOnlyWhenTheImageChanged) {
  start(61);
  write_app("page one\n");
  write_web();
  ASSERT_FALSE(find_image().has_value());
  Outcome up = stack("up -d");
  ASSERT_EQ(up.code, 0) << up.err;
  EXPECT_THAT(up.err, HasSubstr("Building web"));
  EXPECT_EQ(stack("exec -T web cat /page.txt /greeting").out, "page one\nhello-from-args\n");
  std::string first = started_at(container("web"));
  ASSERT_FALSE(first.empty());

  // The image is there: a plain up builds nothing and keeps the container; so does --build when
  // the build gives the same image (all cache, same id).
  Outcome plain = stack("up -d");
  ASSERT_EQ(plain.code, 0) << plain.err;
  EXPECT_THAT(plain.err, Not(HasSubstr("Building")));
  EXPECT_THAT(plain.out, HasSubstr("Container " + container("web") + "  Running"));
  Outcome same = stack("up -d --build");
  ASSERT_EQ(same.code, 0) << same.err;
  EXPECT_THAT(same.err, HasSubstr("Building web"));
  EXPECT_THAT(same.out, HasSubstr("Container " + container("web") + "  Running"));
  EXPECT_EQ(started_at(container("web")), first);

  // A changed file: without --build nothing happens; with it the image and the container change.
  write_app("page two\n");
  Outcome stale = stack("up -d");
  ASSERT_EQ(stale.code, 0) << stale.err;
  EXPECT_EQ(started_at(container("web")), first);
  Outcome rebuilt = stack("up -d --build");
  ASSERT_EQ(rebuilt.code, 0) << rebuilt.err;
  EXPECT_THAT(rebuilt.out, HasSubstr("Container " + container("web") + "  Started"));
  EXPECT_EQ(stack("exec -T web cat /page.txt").out, "page two\n");
  std::string second = started_at(container("web"));
  EXPECT_NE(second, first);

  // The new image is the service's now: neither up nor up --no-build recreates it again.
  EXPECT_EQ(stack("up -d").code, 0);
  EXPECT_EQ(stack("up -d --no-build").code, 0);
  EXPECT_EQ(started_at(container("web")), second);
  EXPECT_EQ(stack("up -d --build --no-build").code, 2);
}

TEST_F(ComposeBuild, NoBuildWithoutTheImageAndAFailingBuild) {
  start(62);
  write_app("page\n");
  write_web();
  Outcome none = stack("up -d --no-build");
  EXPECT_EQ(none.code, 1);
  EXPECT_THAT(none.err, HasSubstr("image '" + image() + "' is not built yet"));

  ASSERT_TRUE(test::write_text(app_dir() + "/Dockerfile", "FROM busybox\nRUN echo broken; exit 3\n"));
  Outcome failed = stack("up -d");
  EXPECT_EQ(failed.code, 1);
  EXPECT_THAT(failed.err, HasSubstr("stack: services.web.build: Dockerfile:2: RUN echo broken; exit 3: exit code 3"));
  EXPECT_FALSE(find_image().has_value());
  EXPECT_TRUE(ps().empty());
}

TEST_F(ComposeBuild, BadBuildKeysAreRefusedWithTheirPosition) {
  start(63);
  write_app("page\n");
  expect_refused(
      "  web:\n"
      "    build:\n"
      "      context: ./app\n"
      "      platforms: [linux/arm64]\n",
      "stack.yaml:5:7: services.web.build.platforms: not supported yet");
}

// build.secrets: a top-level secret from a file and one from the environment, the second under
// the Dockerfile's id; the image keeps what the steps made of them, never the secrets' files.
TEST_F(ComposeBuild, BuildSecretsFromTopLevelSecrets) {
  start(87);
  write_app("page\n");
  ASSERT_TRUE(test::write_text(app_dir() + "/Dockerfile",
                               "FROM busybox\n"
                               "RUN --mount=type=secret,id=npmrc,required wc -c < /run/secrets/npmrc > /npmrc-size\n"
                               "RUN --mount=type=secret,id=gh,env=GH_TOKEN,required sh -c 'echo ${#GH_TOKEN} > /gh-size'\n"
                               "CMD [\"sleep\", \"600\"]\n"));
  ASSERT_TRUE(test::write_text(root_ / "npmrc", "0123456789"));
  write_stack(
      "  web:\n"
      "    build:\n"
      "      context: ./app\n"
      "      secrets: [npmrc, {source: token, target: gh}]\n",
      "secrets:\n  npmrc: {file: ./npmrc}\n  token: {environment: BLD_TOKEN}\n");
  // In the test's own environment: the teardown's `down` reads the file too.
  ASSERT_EQ(::setenv("BLD_TOKEN", "abcd", 1), 0);
  Outcome built = stack("build");
  ASSERT_EQ(built.code, 0) << built.err;
  EXPECT_EQ(read_in_image("npmrc-size"), "10\n");
  EXPECT_EQ(read_in_image("gh-size"), "4\n");
  EXPECT_EQ(read_in_image("run/secrets/npmrc"), "<missing>");
}


// additional_contexts: a directory relative to the project directory, and service:NAME, the image
// built for that service, built first.
TEST_F(ComposeBuild, AdditionalContextsDirectoryAndService) {
  start(18);
  write_app("page\n");
  std::filesystem::create_directories(root_ / "base");
  std::filesystem::create_directories(root_ / "extra");
  ASSERT_TRUE(test::write_text(root_ / "base/Dockerfile", "FROM busybox\nRUN echo base > /base-marker\n"));
  ASSERT_TRUE(test::write_text(root_ / "extra/x.txt", "extra file\n"));
  ASSERT_TRUE(test::write_text(app_dir() + "/Dockerfile",
                               "FROM base\nCOPY --from=extra x.txt /x.txt\nCMD [\"sleep\", \"600\"]\n"));
  write_stack(
      "  web:\n"
      "    build:\n"
      "      context: ./app\n"
      "      additional_contexts:\n"
      "        extra: ./extra\n"
      "        base: service:base\n"
      "  base:\n"
      "    build: ./base\n");
  Outcome built = stack("build web");
  ASSERT_EQ(built.code, 0) << built.err;
  EXPECT_LT(built.err.find("Building base"), built.err.find("Building web")) << built.err;
  EXPECT_EQ(read_in_image("base-marker"), "base\n");
  EXPECT_EQ(read_in_image("x.txt"), "extra file\n");

  // A changed file of the named directory makes a new image.
  auto before = find_image();
  ASSERT_TRUE(test::write_text(root_ / "extra/x.txt", "changed\n"));
  Outcome again = stack("build web");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(read_in_image("x.txt"), "changed\n");
  EXPECT_NE(find_image()->id.str(), before->id.str());
}

TEST_F(ComposeBuild, AdditionalContextErrorsHaveTheirPosition) {
  start(19);
  write_app("page\n");
  expect_refused(
      "  web:\n"
      "    build:\n"
      "      context: ./app\n"
      "      additional_contexts:\n"
      "        other: service:api\n"
      "  api:\n"
      "    build:\n"
      "      context: ./app\n"
      "      additional_contexts: [\"w=service:web\"]\n",
      "stack.yaml:6:16: services.web.build.additional_contexts.other: build context cycle: api -> web -> api");
  expect_refused(
      "  web:\n"
      "    build:\n"
      "      context: ./app\n"
      "      additional_contexts:\n"
      "        other: ftp://x/y.tar\n",
      "stack.yaml:6:16: services.web.build.additional_contexts.other: not supported yet: a remote context that is "
      "neither a git repository nor an http(s) URL");
}

}  // namespace
}  // namespace stack::e2e
