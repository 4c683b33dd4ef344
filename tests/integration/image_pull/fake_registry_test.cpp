// Pull against the fake registry: Bearer token flow (anonymous and with credentials), a corrupt
// blob rejected with nothing stored, an interrupted download resumed with a Range request (by the
// next pull, and by a retry within one pull), a server that ignores ranges, a manifest that does
// not hash to its digest.
#include <gtest/gtest.h>

#include "fake_registry.hpp"
#include "image/local_store.hpp"
#include "image/pull.hpp"

namespace stack::image {
namespace {

using namespace testing_support;

class FakePull : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("DOCKER_CONFIG", (dir_ / "no-docker-config").c_str(), 1);
    auto store = LocalStore::open(dir_ / "images");
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }
  void TearDown() override { ::unsetenv("DOCKER_CONFIG"); }

  std::string ref(const std::string& suffix = ":latest") const { return fake_.domain() + "/test/fake" + suffix; }
  std::vector<std::string> stray_files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_ / "images/blobs")) {
      if (e.path().filename() != "sha256") out.push_back(e.path().filename());
    }
    return out;
  }

  TempDir dir_;
  FakeRegistry fake_;
  std::unique_ptr<LocalStore> store_;
};

TEST_F(FakePull, BearerTokenAnonymous) {
  fake_.behaviour().bearer = true;
  auto pulled = pull_image(*store_, ref(), {});
  ASSERT_TRUE(pulled) << pulled.error().message();
  EXPECT_EQ(pulled->image.digest, fake_.image().digest);
  ASSERT_EQ(fake_.count("/token"), 1u);  // one token, shared by every request
  for (const auto& r : fake_.requests()) {
    if (r.path() != "/token") continue;
    EXPECT_NE(r.target.find("scope=repository%3Atest%2Ffake%3Apull"), std::string::npos) << r.target;
    EXPECT_NE(r.target.find("service=fake-registry"), std::string::npos) << r.target;
    EXPECT_EQ(r.header("authorization"), "");
  }
}

TEST_F(FakePull, BearerTokenWithCredentials) {
  fake_.behaviour().bearer = true;
  fake_.behaviour().token_user = registry::Credentials{"alice", "pw"};
  auto refused = pull(*store_, ref(), {});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("token: 401 unauthorized: bad credentials"), std::string::npos)
      << refused.error().message();
  PullOptions options;
  options.credentials = registry::Credentials{"alice", "pw"};
  auto pulled = pull(*store_, ref(), options);
  ASSERT_TRUE(pulled) << pulled.error().message();
}

TEST_F(FakePull, CorruptBlobIsRejectedAndNothingStored) {
  fake_.behaviour().corrupt_layer = true;
  auto pulled = pull(*store_, ref(), {});
  ASSERT_FALSE(pulled);
  EXPECT_NE(pulled.error().message().find("digest mismatch"), std::string::npos) << pulled.error().message();
  BlobStore blobs = *BlobStore::open(dir_ / "images/blobs");
  EXPECT_FALSE(blobs.contains(fake_.image().layer));
  EXPECT_FALSE(blobs.contains(fake_.image().digest));
  EXPECT_TRUE(stray_files().empty());
  auto listed = store_->list();
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->empty());
}

TEST_F(FakePull, InterruptedPullResumesWithRange) {
  fake_.behaviour().cut_layer_times = 1;
  PullOptions no_retry;
  no_retry.retries = 0;
  auto first = pull(*store_, ref(), no_retry);
  ASSERT_FALSE(first);
  EXPECT_EQ(stray_files(), std::vector<std::string>{".partial-" + fake_.image().layer.hex()});
  auto second = pull_image(*store_, ref(), no_retry);
  ASSERT_TRUE(second) << second.error().message();
  size_t half = fake_.image().blobs.at(fake_.image().layer.str()).size() / 2;
  std::vector<std::string> ranges;
  for (const auto& r : fake_.requests()) {
    if (r.path().ends_with(fake_.image().layer.str())) ranges.push_back(r.header("range"));
  }
  EXPECT_EQ(ranges, (std::vector<std::string>{"", "bytes=" + std::to_string(half) + "-"}));
  EXPECT_EQ(second->stats.bytes_downloaded, fake_.image().blobs.at(fake_.image().layer.str()).size() - half + 0u)
      << "only the rest of the layer (the config came whole in the first pull)";
  EXPECT_TRUE(stray_files().empty());
}

TEST_F(FakePull, RetryWithinOnePullResumes) {
  fake_.behaviour().cut_layer_times = 1;
  auto pulled = pull(*store_, ref(), {});
  ASSERT_TRUE(pulled) << pulled.error().message();
  EXPECT_EQ(fake_.count(fake_.image().layer.str()), 2u);
}

TEST_F(FakePull, ServerIgnoringRangeStartsOver) {
  fake_.behaviour().cut_layer_times = 1;
  fake_.behaviour().ignore_range = true;
  auto pulled = pull(*store_, ref(), {});
  ASSERT_TRUE(pulled) << pulled.error().message();
  EXPECT_EQ(pulled->digest, fake_.image().digest);
}

TEST_F(FakePull, ManifestMustMatchItsDigest) {
  fake_.behaviour().lie_manifest = true;
  auto pulled = pull(*store_, ref("@" + fake_.image().digest.str()), {});
  ASSERT_FALSE(pulled);
  EXPECT_NE(pulled.error().message().find("manifest digest mismatch"), std::string::npos) << pulled.error().message();
}

TEST_F(FakePull, UnknownTagIsOneLine) {
  auto pulled = pull(*store_, ref(":nope"), {});
  ASSERT_FALSE(pulled);
  EXPECT_EQ(pulled.error().message(),
            "pull " + ref(":nope") + ": manifest 'nope': 404 manifest unknown: manifest unknown");
}

}  // namespace
}  // namespace stack::image
