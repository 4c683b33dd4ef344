// Pull from a real registry (Debian's docker-registry on 127.0.0.1): by tag, by digest, through an
// OCI index with a decoy arm64 entry listed first, with Basic auth (htpasswd), and a re-pull that
// downloads nothing but the manifest. The busybox test image is pushed with skopeo.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

#include "image/local_store.hpp"
#include "image/pull.hpp"
#include "image/registry/credentials.hpp"
#include "registry_fixture.hpp"

namespace stack::image {
namespace {

using namespace testing_support;

struct Shared {
  TempDir dir;
  std::unique_ptr<Registry> open;   // pushed to
  std::unique_ptr<Registry> basic;  // same storage, htpasswd auth
  Digest amd64;                     // the busybox manifest
  Digest decoy;                     // the fake arm64 manifest
};

Shared* shared = nullptr;

void put_manifest(const std::string& domain, const std::string& ref, const std::string& type,
                  const std::string& body, const std::string& file) {
  write_text(file, body);
  int status = 0;
  std::string out = run_capture("curl -sS -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: " + type +
                                "' --data-binary @" + file + " http://" + domain + "/v2/test/busybox/manifests/" + ref,
                                &status);
  ASSERT_EQ(out, "201") << ref;
}

class RegistryPull : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared = new Shared;
    std::string storage = shared->dir / "storage";
    fs::create_directories(storage);
    shared->open = std::make_unique<Registry>(shared->dir.path(), storage, "");
    ASSERT_TRUE(shared->open->ready());
    std::string tar = make_test_image(shared->dir.path());
    int status = 0;
    std::string out = run_capture("skopeo --insecure-policy copy -q --dest-tls-verify=false oci-archive:" + tar +
                                      " docker://" + shared->open->domain() + "/test/busybox:latest 2>&1",
                                  &status);
    ASSERT_EQ(status, 0) << out;
    std::string manifest = run_capture("curl -sS -H 'Accept: application/vnd.oci.image.manifest.v1+json' http://" +
                                       shared->open->domain() + "/v2/test/busybox/manifests/latest");
    shared->amd64 = Digest::of(manifest);
    // A decoy for arm64: the same image with an annotation (so another digest), listed first.
    auto decoy = nlohmann::json::parse(manifest);
    decoy["annotations"] = {{"test", "arm64 decoy"}};
    std::string decoy_text = decoy.dump();
    shared->decoy = Digest::of(decoy_text);
    put_manifest(shared->open->domain(), "decoy", "application/vnd.oci.image.manifest.v1+json", decoy_text,
                 shared->dir / "decoy.json");
    nlohmann::json index = {
        {"schemaVersion", 2},
        {"mediaType", "application/vnd.oci.image.index.v1+json"},
        {"manifests",
         {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"}, {"digest", shared->decoy.str()},
           {"size", decoy_text.size()}, {"platform", {{"os", "linux"}, {"architecture", "arm64"}, {"variant", "v8"}}}},
          {{"mediaType", "application/vnd.oci.image.manifest.v1+json"}, {"digest", shared->amd64.str()},
           {"size", manifest.size()}, {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}}}}};
    put_manifest(shared->open->domain(), "multi", "application/vnd.oci.image.index.v1+json", index.dump(),
                 shared->dir / "index.json");
    std::string htpasswd = shared->dir / "htpasswd";
    ASSERT_EQ(std::system(("htpasswd -Bbn tester s3cret > " + htpasswd).c_str()), 0);
    shared->basic = std::make_unique<Registry>(shared->dir.path(), storage,
                                               "auth:\n  htpasswd:\n    realm: test-realm\n    path: " + htpasswd + "\n");
    ASSERT_TRUE(shared->basic->ready());
  }
  static void TearDownTestSuite() {
    delete shared;
    shared = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(shared, nullptr);
    ASSERT_TRUE(shared->open && shared->basic) << "registry setup failed";
    auto store = LocalStore::open(dir_ / "images");
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }

  std::string ref(const std::string& suffix, const Registry* r = nullptr) const {
    return (r ? r : shared->open.get())->domain() + "/test/busybox" + suffix;
  }

  TempDir dir_;
  std::unique_ptr<LocalStore> store_;
};

TEST_F(RegistryPull, ByTagStoresTagsAndUnpacks) {
  auto pulled = pull_image(*store_, ref(":latest"), {});
  ASSERT_TRUE(pulled) << pulled.error().message();
  EXPECT_EQ(pulled->image.digest, shared->amd64);
  EXPECT_EQ(pulled->image.tags, std::vector<std::string>{ref(":latest")});
  EXPECT_EQ(pulled->stats.blobs_downloaded, 2u);
  EXPECT_GT(pulled->stats.bytes_downloaded, 100000u);
  auto found = store_->find(ref(":latest"));
  ASSERT_TRUE(found && *found);
  auto dirs = store_->layer_dirs(**found);
  ASSERT_TRUE(dirs) << dirs.error().message();
  EXPECT_TRUE(fs::exists(dirs->front() + "/bin/busybox"));
}

TEST_F(RegistryPull, RePullDownloadsOnlyTheManifest) {
  ASSERT_TRUE(pull_image(*store_, ref(":latest"), {}));
  auto again = pull_image(*store_, ref(":latest"), {});
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->stats.bytes_downloaded, 0u);
  EXPECT_EQ(again->stats.blobs_downloaded, 0u);
  EXPECT_EQ(again->stats.blobs_reused, 2u);
  EXPECT_EQ(again->stats.requests, 1u);
}

TEST_F(RegistryPull, ByDigestVerifiesAndAddsNoTag) {
  auto pulled = pull_image(*store_, ref("@" + shared->amd64.str()), {});
  ASSERT_TRUE(pulled) << pulled.error().message();
  EXPECT_EQ(pulled->image.digest, shared->amd64);
  EXPECT_TRUE(pulled->image.tags.empty());
}

TEST_F(RegistryPull, IndexResolvesToAmd64) {
  auto pulled = pull_image(*store_, ref(":multi"), {});
  ASSERT_TRUE(pulled) << pulled.error().message();
  EXPECT_EQ(pulled->image.digest, shared->amd64);
  EXPECT_NE(pulled->image.digest, shared->decoy);
  EXPECT_EQ(pulled->image.tags, std::vector<std::string>{ref(":multi")});
}

TEST_F(RegistryPull, EnsureImageHonoursThePolicy) {
  auto never = ensure_image(*store_, ref(":latest"), PullPolicy::never, {});
  ASSERT_FALSE(never);
  EXPECT_NE(never.error().message().find("pull_policy is never"), std::string::npos);
  auto missing = ensure_image(*store_, ref(":latest"), PullPolicy::missing, {});
  ASSERT_TRUE(missing) << missing.error().message();
  auto now_never = ensure_image(*store_, ref(":latest"), PullPolicy::never, {});
  EXPECT_TRUE(now_never);
}

TEST_F(RegistryPull, BasicAuthNeedsCredentials) {
  ::setenv("DOCKER_CONFIG", (dir_ / "nowhere").c_str(), 1);
  auto refused = pull(*store_, ref(":latest", shared->basic.get()), {});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("pull " + ref(":latest", shared->basic.get()) + ": "),
            std::string::npos)
      << refused.error().message();
  EXPECT_NE(refused.error().message().find("401 unauthorized"), std::string::npos) << refused.error().message();

  // From the docker config, as `docker login` writes it.
  write_text(dir_ / "docker/config.json",
             R"({"auths":{")" + shared->basic->domain() + R"(":{"auth":")" +
                 registry::base64_encode("tester:s3cret") + R"("}}})");
  ::setenv("DOCKER_CONFIG", (dir_ / "docker").c_str(), 1);
  auto pulled = pull(*store_, ref(":latest", shared->basic.get()), {});
  ::unsetenv("DOCKER_CONFIG");
  ASSERT_TRUE(pulled) << pulled.error().message();
  EXPECT_EQ(pulled->digest, shared->amd64);
}

TEST_F(RegistryPull, BasicAuthWrongPasswordIsOneLine) {
  PullOptions options;
  options.credentials = registry::Credentials{"tester", "wrong"};
  auto refused = pull(*store_, ref(":latest", shared->basic.get()), options);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message().find('\n'), std::string::npos);
  EXPECT_NE(refused.error().message().find("401"), std::string::npos) << refused.error().message();
}

}  // namespace
}  // namespace stack::image
