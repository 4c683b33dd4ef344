// --cache-to type=registry,ref=IMAGE and --cache-from type=registry,ref=IMAGE (or a bare IMAGE)
// through the real binary against a real registry on 127.0.0.1 (Debian's docker-registry): a
// build's steps pushed as one manifest under a tag, and a build in a fresh state root taking every
// step from it with the same image id. A tag the registry lacks imports nothing, silently; a tag
// that holds an ordinary image, an unreachable registry and a layer that does not match its digest
// are warnings, and the build goes on. Credentials from the docker config; compose's cache_from
// and cache_to through `stack build`.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "../image_pull/registry_fixture.hpp"
#include "image/registry/credentials.hpp"
#include "build/stage_state.hpp"
#include "build_fixture.hpp"

namespace stack::build {
namespace {

namespace fs = std::filesystem;

class RegistryCacheTest : public BuildTest {
 protected:
  void SetUp() override {
    BuildTest::SetUp();
    fs::create_directories(registry_dir_ / "storage");
    registry_ = std::make_unique<image::testing_support::Registry>(registry_dir_.path(), registry_dir_ / "storage", "");
    ASSERT_TRUE(registry_->ready());
    ::setenv("DOCKER_CONFIG", (registry_dir_ / "no-docker-config").c_str(), 1);
    // A second state root, as a fresh CI machine has: the busybox image and nothing else.
    auto store = image::Store::open(fresh_.path());
    ASSERT_TRUE(store) << store.error().message();
    auto loaded = (*store)->load(busybox_image());
    ASSERT_TRUE(loaded) << loaded.error().message();
  }
  void TearDown() override {
    BuildTest::TearDown();
    ::unsetenv("DOCKER_CONFIG");
  }

  std::string ref(const std::string& repo_tag) const { return registry_->domain() + "/" + repo_tag; }

  // `stack image build` of the context in the fresh root.
  Outcome build_fresh(const std::string& args) const {
    return stack("image build --progress plain " + args + " " + context(), "", fresh_.path());
  }

  test::TempDir registry_dir_{"stack-bld-registry"};
  test::TempDir fresh_{"stack-bld-fresh"};
  std::unique_ptr<image::testing_support::Registry> registry_;
};

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(RegistryCacheTest, APushedCacheServesABuildInAFreshRoot) {
  write("a.txt", "one\n");
  write("Dockerfile",
        "FROM busybox\n"
        "COPY a.txt /a.txt\n"
        "RUN echo made > /made\n");
  const std::string cache = ref("test/app:buildcache");
  // The tag does not exist yet (a first CI run): nothing imported, nothing said.
  Outcome first = build("--network none -t bld-reg:1 --cache-from " + cache + " --cache-to type=registry,ref=" +
                        cache + ",mode=max");
  std::string id = built_id(first);
  EXPECT_NE(first.err.find("0 cached, 2 run"), std::string::npos) << first.err;
  EXPECT_EQ(first.err.find("warning"), std::string::npos) << first.err;
  EXPECT_EQ(first.err.find(cache), std::string::npos) << first.err;

  Outcome again = build_fresh("--network none -t bld-reg:1 --cache-from type=registry,ref=" + cache);
  EXPECT_EQ(built_id(again), id);
  EXPECT_NE(again.err.find("2 cached, 0 run"), std::string::npos) << again.err;
  // The steps entered the fresh root's own cache: a build without --cache-from takes them too.
  Outcome local = build_fresh("--network none -t bld-reg:1");
  EXPECT_EQ(built_id(local), id);
  EXPECT_NE(local.err.find("2 cached, 0 run"), std::string::npos) << local.err;

  // A second export of the same steps: the same manifest under the tag (nothing new to store).
  const std::string blobs = registry_dir_ / "storage/docker/registry/v2/blobs/sha256";
  auto blob_count = [&] {
    size_t n = 0;
    for (auto it = fs::recursive_directory_iterator(blobs); it != fs::recursive_directory_iterator(); ++it) {
      n += it->path().filename() == "data";
    }
    return n;
  };
  const size_t stored = blob_count();
  EXPECT_EQ(stored, 4u);  // two layers, the config and the manifest
  Outcome pushed_again = build_fresh("--network none -t bld-reg:1 --cache-to type=registry,ref=" + cache);
  EXPECT_EQ(built_id(pushed_again), id);
  EXPECT_EQ(blob_count(), stored);

  // A layer in the registry that does not match its digest: a warning for its step, which runs;
  // the steps after it run too (their keys follow from it), and the image is the same.
  auto image = find("bld-reg:1");
  ASSERT_TRUE(image.has_value());
  size_t corrupted = 0;
  for (const image::LayerInfo& layer : image->layers) {
    const std::string data = blobs + "/" + layer.blob.hex().substr(0, 2) + "/" + layer.blob.hex() + "/data";
    if (!fs::exists(data)) continue;  // busybox's: the cache has only the layers its steps made
    ASSERT_TRUE(test::write_text(data, "not the layer"));
    ++corrupted;
  }
  EXPECT_EQ(corrupted, 2u);
  fs::remove_all(root_ / "build-cache");
  ASSERT_EQ(stack("image rm bld-reg:1").code, 0);
  ASSERT_EQ(stack("image prune -f").code, 0);
  Outcome broken = build("--network none -t bld-reg:1 --cache-from type=registry,ref=" + cache);
  EXPECT_EQ(built_id(broken), id);
  // The COPY made its layer to learn its key, so the registry's broken copy is not fetched; the
  // RUN's is, and is refused.
  EXPECT_NE(broken.err.find("1 cached, 1 run"), std::string::npos) << broken.err;
  EXPECT_NE(broken.err.find("--cache-from " + cache + ": "), std::string::npos) << broken.err;
  EXPECT_NE(broken.err.find("; the step runs"), std::string::npos) << broken.err;
}

TEST_F(RegistryCacheTest, AnOrdinaryImageOrAnUnreachableRegistryIsAWarning) {
  write("Dockerfile", "FROM busybox\nRUN echo made > /made\n");
  // compose files that name `cache_from: [myapp:latest]` (BuildKit's shorthand) run unchanged.
  const std::string plain = ref("test/plain:1");
  ASSERT_EQ(stack("image tag busybox " + plain).code, 0);
  Outcome push = stack("image push " + plain);
  ASSERT_EQ(push.code, 0) << push.err;
  Outcome r = build("--network none -t bld-reg:2 --cache-from " + plain);
  built_id(r);
  EXPECT_EQ(count_of(r.err, "--cache-from " + plain + ": holds no stack build cache; building without it"), 1u)
      << r.err;
  EXPECT_NE(r.err.find("0 cached, 1 run"), std::string::npos) << r.err;

  const std::string down = "127.0.0.1:1/test/app:cache";  // nothing listens on port 1
  Outcome unreachable = build("--network none -t bld-reg:2 --cache-from type=registry,ref=" + down);
  built_id(unreachable);
  EXPECT_NE(unreachable.err.find("--cache-from " + down + ": "), std::string::npos) << unreachable.err;
  EXPECT_NE(unreachable.err.find("; building without it"), std::string::npos) << unreachable.err;

  // A bad reference or a kind stack does not read is one line, before anything runs.
  Outcome bad = build("-t bld-reg:3 --cache-to type=registry,ref=Bad/Name:x");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--cache-to 'type=registry,ref=Bad/Name:x': invalid reference 'Bad/Name:x': "),
            std::string::npos) << bad.err;
  Outcome s3 = build("-t bld-reg:3 --cache-to type=s3,region=x");
  EXPECT_EQ(s3.code, 2);
  EXPECT_NE(s3.err.find("--cache-to 'type=s3,region=x': type=s3 is not supported: "), std::string::npos) << s3.err;
  EXPECT_FALSE(find("bld-reg:3").has_value());
}

// --cache-to type=inline: the records in the image's own config, of the final stage's steps only;
// the image pushed is a cache that --cache-from reads (its own layers), as BuildKit's inline cache.
TEST_F(RegistryCacheTest, AnInlineCacheTravelsWithThePushedImage) {
  write("a.txt", "one\n");
  write("Dockerfile",
        "FROM busybox AS tool\n"
        "RUN echo tool > /tool && echo other > /other\n"
        "FROM busybox\n"
        "COPY a.txt /a.txt\n"
        "COPY --from=tool /tool /tool\n"
        "RUN echo made > /made\n");
  const std::string image = ref("test/inline:1");
  std::string id = built_id(build("--network none -t " + image + " --cache-to type=inline"));
  auto built = find(image);
  ASSERT_TRUE(built.has_value());
  auto blobs = image::BlobStore::open(root_ / "images/blobs");
  ASSERT_TRUE(blobs);
  auto config = nlohmann::json::parse(blobs->read(built->id).value_or(""), nullptr, false);
  ASSERT_TRUE(config.is_object());
  EXPECT_EQ(config[kInlineCacheField]["steps"].size(), 3u) << config.dump();  // not tool's RUN
  ASSERT_EQ(stack("image push " + image).code, 0);

  Outcome again = build_fresh("--network none -t " + image + " --cache-from " + image + " --cache-to type=inline");
  EXPECT_EQ(built_id(again), id);
  EXPECT_NE(again.err.find("3 cached, 1 run"), std::string::npos) << again.err;  // tool's RUN runs
  EXPECT_EQ(again.err.find("warning"), std::string::npos) << again.err;
  // Without the inline export the same steps make an image without the records: another id.
  Outcome plain = build_fresh("--network none -t bld-reg:5");
  EXPECT_NE(built_id(plain), id);
  EXPECT_NE(plain.err.find("4 cached, 0 run"), std::string::npos) << plain.err;
}

// Credentials are a pull's and a push's: the docker config's, for the export and the import.
TEST_F(RegistryCacheTest, CredentialsComeFromTheDockerConfig) {
  const std::string htpasswd = registry_dir_ / "htpasswd";
  ASSERT_EQ(std::system(("htpasswd -Bbn tester s3cret > " + htpasswd).c_str()), 0);
  image::testing_support::Registry basic(registry_dir_.path(), registry_dir_ / "storage",
                                         "auth:\n  htpasswd:\n    realm: test-realm\n    path: " + htpasswd + "\n");
  ASSERT_TRUE(basic.ready());
  write("Dockerfile", "FROM busybox\nRUN echo made > /made\n");
  const std::string cache = basic.domain() + "/test/private:cache";

  Outcome refused = build("--network none -t bld-reg:4 --cache-to type=registry,ref=" + cache);
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("stack: --cache-to " + cache + ": "), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("401 unauthorized"), std::string::npos) << refused.err;
  Outcome anonymous = build_fresh("--network none -t bld-reg:4 --cache-from " + cache);
  built_id(anonymous);
  EXPECT_NE(anonymous.err.find("--cache-from " + cache + ": "), std::string::npos) << anonymous.err;
  EXPECT_NE(anonymous.err.find("401 unauthorized"), std::string::npos) << anonymous.err;

  fs::create_directories(registry_dir_ / "docker");
  ASSERT_TRUE(test::write_text(registry_dir_ / "docker/config.json",
                               R"({"auths":{")" + basic.domain() + R"(":{"auth":")" +
                                   image::registry::base64_encode("tester:s3cret") + R"("}}})"));
  ::setenv("DOCKER_CONFIG", (registry_dir_ / "docker").c_str(), 1);
  std::string id = built_id(build("--network none -t bld-reg:4 --cache-to type=registry,ref=" + cache));
  fs::remove_all(fresh_ / "build-cache");
  Outcome again = build_fresh("--network none -t bld-reg:4 --cache-from type=registry,ref=" + cache);
  EXPECT_EQ(built_id(again), id);
  EXPECT_NE(again.err.find("1 cached, 0 run"), std::string::npos) << again.err;
}

// Compose's cache_from and cache_to take the registry forms; `cache_from: [IMAGE]` naming an
// ordinary image (as compose files often do) is a warning and the build goes on.
TEST_F(RegistryCacheTest, ComposeCacheFromAndCacheTo) {
  write("Dockerfile", "FROM busybox\nRUN echo made > /made\n");
  const std::string cache = ref("test/compose:cache");
  const std::string plain = ref("test/plain:2");
  ASSERT_EQ(stack("image tag busybox " + plain).code, 0);
  ASSERT_EQ(stack("image push " + plain).code, 0);
  const std::string file = root_ / "stack.yaml";
  ASSERT_TRUE(test::write_text(file, "services:\n  web:\n    image: bld-reg-web\n    build:\n      context: ./ctx\n"
                                     "      network: none\n"
                                     "      cache_from: [" + plain + ", 'type=registry,ref=" + cache + "']\n"
                                     "      cache_to: ['type=registry,ref=" + cache + ",mode=max']\n"));
  Outcome first = stack("-p bldreg -f " + file + " build");
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.err.find("--cache-from " + plain + ": holds no stack build cache; building without it"),
            std::string::npos) << first.err;
  EXPECT_NE(first.err.find("0 cached, 1 run"), std::string::npos) << first.err;
  Outcome fresh = stack("-p bldreg -f " + file + " build", "", fresh_.path());
  ASSERT_EQ(fresh.code, 0) << fresh.err;
  EXPECT_NE(fresh.err.find("1 cached, 0 run"), std::string::npos) << fresh.err;
  auto built = find("bld-reg-web");
  auto fresh_store = image::Store::open(fresh_.path());
  ASSERT_TRUE(built && fresh_store);
  auto rebuilt = (*fresh_store)->find("bld-reg-web");
  ASSERT_TRUE(rebuilt && *rebuilt);
  EXPECT_EQ((*rebuilt)->digest, built->digest);  // the same image
}

}  // namespace
}  // namespace stack::build
