// `stack image push` and `stack push` through the real binary against a real registry (Debian's
// docker-registry on 127.0.0.1): a push pulled back into a fresh state root keeps the image id and
// the manifest digest; a second push sends nothing; Basic auth with and without credentials; an
// unknown image and an unreachable registry fail in one line; a compose service is pushed, and
// --ignore-push-failures pushes the services after a failed one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

#include "image/registry/credentials.hpp"
#include "registry_fixture.hpp"

namespace stack::image {
namespace {

using namespace testing_support;

class PushCli : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "storage");
    registry_ = std::make_unique<Registry>(dir_.path(), dir_ / "storage", "");
    ASSERT_TRUE(registry_->ready());
    ::setenv("DOCKER_CONFIG", (dir_ / "no-docker-config").c_str(), 1);
  }
  void TearDown() override { ::unsetenv("DOCKER_CONFIG"); }

  // Runs `stack --root <root> ARGS`; stdout returned, stderr in err_, exit code in rc_.
  std::string stack(const std::string& args, const std::string& root = "") {
    std::string cmd = std::string(STACK_BINARY) + " --root " + (root.empty() ? dir_ / "root" : root) + " " + args +
                      " 2>" + (dir_ / "err");
    std::string out = run_capture(cmd, &rc_);
    err_ = read_text(dir_ / "err");
    return out;
  }

  // Loads the busybox test image under name (its OCI layout renamed; the manifest is unchanged).
  void load_as(const std::string& name) {
    std::string tar = make_test_image(dir_.path());
    std::string layout = dir_ / "layout";
    std::string cmd = "rm -rf " + layout + " && mkdir " + layout + " && tar -xf " + tar + " -C " + layout +
                      " && sed -i 's#docker.io/library/busybox:latest#" + name + "#' " + layout +
                      "/index.json && tar -cf " + (dir_ / "renamed.tar") + " -C " + layout + " blobs index.json oci-layout";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    stack("image load -i " + (dir_ / "renamed.tar"));
    ASSERT_EQ(rc_, 0) << err_;
  }

  nlohmann::json inspect(const std::string& ref, const std::string& root = "") {
    std::string out = stack("image inspect " + ref, root);
    EXPECT_EQ(rc_, 0) << err_;
    auto j = nlohmann::json::parse(out, nullptr, false);
    return j.is_array() && !j.empty() ? j[0] : nlohmann::json::object();
  }

  TempDir dir_;
  std::unique_ptr<Registry> registry_;
  int rc_ = -1;
  std::string err_;
};

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(PushCli, PushedImagePullsBackWithTheSameIdAndDigest) {
  std::string ref = registry_->domain() + "/test/busybox:1.0";
  load_as(ref);
  auto local = inspect(ref);
  std::string out = stack("image push " + ref);
  ASSERT_EQ(rc_, 0) << err_;
  EXPECT_EQ(out.rfind("The push refers to repository [" + registry_->domain() + "/test/busybox]\n", 0), 0u) << out;
  EXPECT_EQ(count_of(out, ": Pushed\n"), local["RootFS"]["Layers"].size()) << out;
  EXPECT_NE(out.find("1.0: digest: " + local["Digest"].get<std::string>() + " size: "), std::string::npos) << out;

  std::string fresh = dir_ / "fresh-root";
  stack("image pull " + ref, fresh);
  ASSERT_EQ(rc_, 0) << err_;
  auto pulled = inspect(ref, fresh);
  EXPECT_EQ(pulled["Id"], local["Id"]);
  EXPECT_EQ(pulled["Digest"], local["Digest"]);

  out = stack("image push " + ref);
  ASSERT_EQ(rc_, 0) << err_;
  EXPECT_EQ(count_of(out, ": Pushed"), 0u) << out;
  EXPECT_EQ(count_of(out, ": Layer already exists\n"), local["RootFS"]["Layers"].size()) << out;
}

TEST_F(PushCli, BasicAuthWithAndWithoutCredentials) {
  std::string htpasswd = dir_ / "htpasswd";
  ASSERT_EQ(std::system(("htpasswd -Bbn tester s3cret > " + htpasswd).c_str()), 0);
  Registry basic(dir_.path(), dir_ / "storage", "auth:\n  htpasswd:\n    realm: test-realm\n    path: " + htpasswd + "\n");
  ASSERT_TRUE(basic.ready());
  std::string ref = basic.domain() + "/test/private:latest";
  load_as(ref);

  stack("image push " + ref);
  EXPECT_EQ(rc_, 1);
  EXPECT_EQ(count_of(err_, "\n"), 1u) << err_;
  EXPECT_EQ(err_.rfind("stack: push " + ref + ": ", 0), 0u) << err_;
  EXPECT_NE(err_.find("401 unauthorized"), std::string::npos) << err_;

  write_text(dir_ / "docker/config.json", R"({"auths":{")" + basic.domain() + R"(":{"auth":")" +
                                              registry::base64_encode("tester:s3cret") + R"("}}})");
  ::setenv("DOCKER_CONFIG", (dir_ / "docker").c_str(), 1);
  std::string out = stack("image push " + ref);
  EXPECT_EQ(rc_, 0) << err_;
  EXPECT_NE(out.find("latest: digest: sha256:"), std::string::npos) << out;
}

TEST_F(PushCli, UnknownImageAndUnreachableRegistryAreOneLine) {
  stack("image push " + registry_->domain() + "/test/nope:1");
  EXPECT_EQ(rc_, 1);
  EXPECT_EQ(err_, "stack: push " + registry_->domain() + "/test/nope:1: no such image in the store\n");

  std::string ref = "127.0.0.1:" + std::to_string(free_port()) + "/test/busybox:latest";
  load_as(ref);
  stack("image push " + ref);
  EXPECT_EQ(rc_, 1);
  EXPECT_EQ(count_of(err_, "\n"), 1u) << err_;
  EXPECT_EQ(err_.rfind("stack: push " + ref + ": ", 0), 0u) << err_;
}

TEST_F(PushCli, ComposePushPushesServicesWithImages) {
  std::string ref = registry_->domain() + "/test/app:2";
  load_as(ref);
  fs::create_directories(dir_ / "proj/ctx");
  write_text(dir_ / "proj/ctx/Dockerfile", "FROM busybox\n");
  write_text(dir_ / "proj/stack.yaml", "services:\n  app:\n    image: " + ref +
                                           "\n  local:\n    build: ./ctx\n"
                                           "  gone:\n    image: " + registry_->domain() + "/test/gone:1\n");
  std::string out = stack("-f " + (dir_ / "proj/stack.yaml") + " -p pushtest push");
  ASSERT_EQ(rc_, 0) << err_ << out;
  EXPECT_NE(out.find("2: digest: sha256:"), std::string::npos) << out;
  EXPECT_NE(out.find("local: skipped, no image name"), std::string::npos) << out;
  EXPECT_NE(out.find("gone: skipped, image '" + registry_->domain() + "/test/gone:1' is not in the store"),
            std::string::npos) << out;

  out = stack("-f " + (dir_ / "proj/stack.yaml") + " -p pushtest push app");
  ASSERT_EQ(rc_, 0) << err_;
  EXPECT_NE(out.find(": Layer already exists"), std::string::npos) << out;
  EXPECT_EQ(out.find("local:"), std::string::npos) << out;
}

TEST_F(PushCli, IgnorePushFailuresPushesTheOthers) {
  std::string dead = "127.0.0.1:" + std::to_string(free_port()) + "/test/dead:1";
  std::string ok = registry_->domain() + "/test/ok:1";
  load_as(dead);
  load_as(ok);
  write_text(dir_ / "proj/stack.yaml", "services:\n  a:\n    image: " + dead + "\n  b:\n    image: " + ok + "\n");
  std::string file = "-f " + (dir_ / "proj/stack.yaml") + " -p pushfail ";
  stack(file + "push");
  EXPECT_EQ(rc_, 1);
  EXPECT_EQ(err_.rfind("stack: services.a.image: push " + dead + ": ", 0), 0u) << err_;
  std::string out = stack(file + "push --ignore-push-failures");
  EXPECT_EQ(rc_, 1);
  EXPECT_NE(out.find("1: digest: sha256:"), std::string::npos) << out;
}

}  // namespace
}  // namespace stack::image
