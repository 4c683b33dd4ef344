// Push against a scripted registry (TestServer) for what docker-registry will not show on demand:
// a Bearer token asked for with scope pull,push; a relative upload Location with a query completed
// with digest=; the blob bytes and the manifest bytes as received; a failing blob upload is one
// line with the registry's message and no manifest is put.
#include <gtest/gtest.h>

#include "fake_registry.hpp"
#include "image/local_store.hpp"
#include "image/pull.hpp"
#include "image/push.hpp"

namespace stack::image {
namespace {

using namespace testing_support;

// Answers a push to test/up: HEAD 404, POST 202 with a relative Location, PUT 201 (or 400 for the
// layer when reject_layer), behind a Bearer token from /token.
class PushTarget {
 public:
  PushTarget() : server_([this](const TestRequest& r) { return handle(r); }) {}

  std::string domain() const { return server_.authority(); }
  std::vector<TestRequest> requests() const { return server_.requests(); }
  bool reject_layer = false;
  Digest layer;

 private:
  TestResponse handle(const TestRequest& r) {
    if (r.path() == "/token") return {200, {{"Content-Type", "application/json"}}, R"({"token":"push-token"})"};
    if (r.header("authorization") != "Bearer push-token") {
      return {401,
              {{"WWW-Authenticate", "Bearer realm=\"http://" + domain() +
                                        "/token\",service=\"push-target\",scope=\"repository:test/up:pull\""}},
              R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})"};
    }
    if (r.method == "HEAD") return {404, {}, ""};
    if (r.method == "POST") return {202, {{"Location", "/v2/test/up/blobs/uploads/u1?_state=s1"}}, ""};
    if (r.method == "PUT" && r.path().starts_with("/v2/test/up/blobs/uploads/")) {
      if (reject_layer && r.target.find(layer.hex()) != std::string::npos) {
        return {400, {}, R"({"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]})"};
      }
      return {201, {}, ""};
    }
    if (r.method == "PUT") return {201, {{"Docker-Content-Digest", Digest::of(r.body).str()}}, ""};
    return {404, {}, "{}"};
  }

  TestServer server_;
};

class FakePush : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("DOCKER_CONFIG", (dir_ / "no-docker-config").c_str(), 1);
    auto store = LocalStore::open(dir_ / "images");
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
    // The fake image, pulled, then tagged for the target as `docker tag` would.
    auto pulled = pull(*store_, source_.domain() + "/test/fake:latest", {});
    ASSERT_TRUE(pulled) << pulled.error().message();
    auto ingest = store_->begin_ingest();
    ASSERT_TRUE(ingest);
    ASSERT_TRUE((*ingest)->commit(pulled->digest, {target_.domain() + "/test/up:1"}));
    target_.layer = source_.image().layer;
  }
  void TearDown() override { ::unsetenv("DOCKER_CONFIG"); }

  TempDir dir_;
  FakeRegistry source_;
  PushTarget target_;
  std::unique_ptr<LocalStore> store_;
};

TEST_F(FakePush, BearerScopeRelativeLocationAndExactBytes) {
  auto pushed = push_image(*store_, target_.domain() + "/test/up:1", {});
  ASSERT_TRUE(pushed) << pushed.error().message();
  EXPECT_EQ(pushed->digest, source_.image().digest);
  EXPECT_EQ(pushed->blobs_pushed, 2u);
  bool asked_push_scope = false;
  std::map<std::string, std::string> uploaded;  // digest= value -> body
  std::string manifest;
  for (const auto& r : target_.requests()) {
    if (r.path() == "/token") asked_push_scope |= r.target.find("scope=repository%3Atest%2Fup%3Apull%2Cpush") != std::string::npos;
    if (r.method == "PUT" && r.path() == "/v2/test/up/blobs/uploads/u1") {
      EXPECT_NE(r.target.find("?_state=s1&digest=sha256%3A"), std::string::npos) << r.target;
      uploaded[r.target.substr(r.target.find("digest=") + 7)] = r.body;
    }
    if (r.method == "PUT" && r.path() == "/v2/test/up/manifests/1") {
      EXPECT_EQ(r.header("content-type"), "application/vnd.oci.image.manifest.v1+json");
      manifest = r.body;
    }
  }
  EXPECT_TRUE(asked_push_scope);
  EXPECT_EQ(uploaded["sha256%3A" + source_.image().layer.hex()], source_.image().blobs.at(source_.image().layer.str()));
  EXPECT_EQ(uploaded["sha256%3A" + source_.image().config.hex()], source_.image().blobs.at(source_.image().config.str()));
  EXPECT_EQ(manifest, source_.image().manifest);
}

TEST_F(FakePush, FailedBlobUploadIsOneLineAndPutsNoManifest) {
  target_.reject_layer = true;
  auto pushed = push_image(*store_, target_.domain() + "/test/up:1", {});
  ASSERT_FALSE(pushed);
  EXPECT_EQ(pushed.error().message(),
            "push " + target_.domain() + "/test/up:1: uploading " + source_.image().layer.short_str() +
                ": 400 digest invalid: provided digest did not match uploaded content");
  for (const auto& r : target_.requests()) EXPECT_EQ(r.path().find("/manifests/"), std::string::npos) << r.target;
}

}  // namespace
}  // namespace stack::image
