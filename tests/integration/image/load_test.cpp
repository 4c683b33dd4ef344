// Loading real archives into a real store: the busybox OCI tarball from scripts/make-test-image.sh,
// the same image as an OCI directory and as a `docker save` archive, and an imported rootfs.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "image/local_store.hpp"
#include "image_fixture.hpp"

namespace stack::image {
namespace {

using namespace testing_support;

class LoadTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "integration tests run as root";
    auto store = LocalStore::open(tmp_ / "root/images");
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }

  // The loaded busybox image must run: config and an unpacked busybox.
  void expect_busybox(const Image& image) {
    EXPECT_EQ(image.config.cmd, std::vector<std::string>{"sh"});
    ASSERT_FALSE(image.config.env.empty());
    EXPECT_EQ(image.config.env[0].rfind("PATH=", 0), 0u);
    auto dirs = store_->layer_dirs(image);
    ASSERT_TRUE(dirs) << dirs.error().message();
    ASSERT_EQ(dirs->size(), 1u);
    const std::string& root = dirs->front();
    struct stat st;
    ASSERT_EQ(::stat((root + "/bin/busybox").c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0755u);
    EXPECT_GT(st.st_size, 100000);
    EXPECT_EQ(fs::read_symlink(root + "/bin/sh"), "busybox");
    ASSERT_EQ(::lstat((root + "/tmp").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 01777u);
    ASSERT_EQ(::lstat((root + "/root").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    EXPECT_NE(read_text(root + "/etc/passwd").find("nobody:x:65534"), std::string::npos);
  }

  TempDir tmp_;
  std::unique_ptr<LocalStore> store_;
};

TEST_F(LoadTest, OciTarballRoundTrip) {
  std::string tarball = make_test_image(tmp_.path());
  auto loaded = store_->load(tarball);
  ASSERT_TRUE(loaded) << loaded.error().message();
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].tags, std::vector<std::string>{"docker.io/library/busybox:latest"});

  for (const char* ref : {"busybox", "busybox:latest", "docker.io/library/busybox"}) {
    auto found = store_->find(ref);
    ASSERT_TRUE(found) << found.error().message();
    ASSERT_TRUE(found->has_value()) << ref;
    EXPECT_EQ((*found)->digest, (*loaded)[0].digest);
  }
  auto by_id = store_->find((*loaded)[0].id.hex().substr(0, 12));
  ASSERT_TRUE(by_id && by_id->has_value());
  auto by_digest = store_->find("busybox@" + (*loaded)[0].digest.str());
  ASSERT_TRUE(by_digest && by_digest->has_value());
  auto absent = store_->find("redis:7");
  ASSERT_TRUE(absent);
  EXPECT_FALSE(absent->has_value());
  EXPECT_FALSE(store_->find("Not Valid"));

  expect_busybox(**store_->find("busybox"));
  // The second load is a no-op with the same identity.
  auto again = store_->load(tarball);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)[0].digest, (*loaded)[0].digest);
  EXPECT_EQ(store_->list()->size(), 1u);
}

// docker load prints the archive's own names; another name of the same manifest is not one of them.
TEST_F(LoadTest, LoadReportsOnlyTheArchivesNames) {
  std::string tarball = make_test_image(tmp_.path());
  auto first = store_->load(tarball);
  ASSERT_TRUE(first) << first.error().message();
  auto ingest = store_->begin_ingest();
  ASSERT_TRUE(ingest) << ingest.error().message();
  auto tagged = (*ingest)->commit((*first)[0].digest, {"docker.io/library/other:1"});
  ASSERT_TRUE(tagged) << tagged.error().message();
  EXPECT_EQ(tagged->tags, std::vector<std::string>{"docker.io/library/other:1"});
  ingest->reset();
  auto again = store_->load(tarball);
  ASSERT_TRUE(again) << again.error().message();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].tags, std::vector<std::string>{"docker.io/library/busybox:latest"});
  auto other = store_->find("other:1");
  ASSERT_TRUE(other && other->has_value());  // still there: only the report leaves it out
}

TEST_F(LoadTest, InspectShowsConfigAndLayers) {
  ASSERT_TRUE(store_->load(make_test_image(tmp_.path())));
  auto j = store_->inspect("busybox");
  ASSERT_TRUE(j) << j.error().message();
  EXPECT_EQ((*j)["RepoTags"][0], "busybox:latest");
  EXPECT_EQ((*j)["Config"]["Cmd"][0], "sh");
  EXPECT_EQ((*j)["Os"], "linux");
  EXPECT_EQ((*j)["Layers"].size(), 1u);
  EXPECT_FALSE(store_->inspect("nothere"));
}

TEST_F(LoadTest, OciDirectory) {
  std::string tarball = make_test_image(tmp_.path());
  fs::create_directories(tmp_ / "layout");
  ASSERT_EQ(std::system(("tar -xf " + tarball + " -C " + (tmp_ / "layout")).c_str()), 0);
  auto loaded = store_->load(tmp_ / "layout");
  ASSERT_TRUE(loaded) << loaded.error().message();
  auto found = store_->find("busybox");
  ASSERT_TRUE(found && found->has_value());
  expect_busybox(**found);
}

// A pre-25 `docker save` archive made from the same layer and config as the OCI image.
TEST_F(LoadTest, DockerSaveArchive) {
  std::string tarball = make_test_image(tmp_.path());
  ASSERT_TRUE(store_->load(tarball));
  auto oci = store_->find("busybox");
  ASSERT_TRUE(oci && oci->has_value());
  const Image& image = **oci;
  std::string layer_tar;
  {
    std::string cmd = "gzip -dc " + store_->blobs().path(image.layers[0].blob) + " > " + (tmp_ / "layer.tar");
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    layer_tar = read_text(tmp_ / "layer.tar");
  }
  std::string config = read_text(store_->blobs().path(image.id));
  std::string layer_id(64, 'e');
  nlohmann::json manifest = nlohmann::json::array(
      {{{"Config", image.id.hex() + ".json"}, {"RepoTags", {"busybox:saved", "example.com/tools/bb:1"}},
        {"Layers", {layer_id + "/layer.tar"}}}});
  std::string archive = tar_bytes({dir(layer_id), file(layer_id + "/VERSION", "1.0"), file(layer_id + "/json", "{}"),
                                   file(layer_id + "/layer.tar", layer_tar), file(image.id.hex() + ".json", config),
                                   file("manifest.json", manifest.dump()), file("repositories", "{}")});
  write_text(tmp_ / "saved.tar", archive);

  auto loaded = store_->load(tmp_ / "saved.tar");
  ASSERT_TRUE(loaded) << loaded.error().message();
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].id, image.id);  // same config: same image id
  EXPECT_EQ((*loaded)[0].tags,
            (std::vector<std::string>{"docker.io/library/busybox:saved", "example.com/tools/bb:1"}));
  auto found = store_->find("example.com/tools/bb:1");
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->layers[0].diff_id, image.layers[0].diff_id);
  EXPECT_EQ((*found)->layers[0].media_type, "application/vnd.oci.image.layer.v1.tar");
  expect_busybox(**found);
}

TEST_F(LoadTest, ImportRootfs) {
  Layer rootfs{{dir("bin"), file("bin/hello", "#!/bin/sh\necho hi\n", 0755), dir("etc"),
                file("etc/hostname", "imported\n")}};
  write_text(tmp_ / "rootfs.tar.gz", compress(tar_bytes(rootfs.entries), Compression::gzip));
  auto imported = store_->import_rootfs(tmp_ / "rootfs.tar.gz", "example.com/me/rootfs:v1");
  ASSERT_TRUE(imported) << imported.error().message();
  EXPECT_EQ(imported->tags, std::vector<std::string>{"example.com/me/rootfs:v1"});
  auto found = store_->find("example.com/me/rootfs:v1");
  ASSERT_TRUE(found && found->has_value());
  const Image& image = **found;
  EXPECT_EQ(image.config.os, "linux");
  EXPECT_EQ(image.config.architecture, "amd64");
  ASSERT_EQ(image.config.diff_ids.size(), 1u);
  EXPECT_EQ(image.config.diff_ids[0], Digest::of(tar_bytes(rootfs.entries)));
  EXPECT_EQ(image.layers[0].media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  auto dirs = store_->layer_dirs(image);
  ASSERT_TRUE(dirs) << dirs.error().message();
  EXPECT_EQ(read_text(dirs->front() + "/etc/hostname"), "imported\n");
  EXPECT_FALSE(store_->import_rootfs(tmp_ / "rootfs.tar.gz", "x@sha256:" + std::string(64, 'a')));
  EXPECT_FALSE(store_->import_rootfs(tmp_ / "missing.tar", "x:1"));
}

TEST_F(LoadTest, NotAnImageArchive) {
  write_text(tmp_ / "junk.tar", tar_bytes({file("hello.txt", "hi")}));
  auto loaded = store_->load(tmp_ / "junk.tar");
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message().find("not a docker save archive"), std::string::npos)
      << loaded.error().message();
  EXPECT_FALSE(store_->load(tmp_ / "does-not-exist.tar"));
}

TEST_F(LoadTest, CorruptBlobInArchiveIsRejected) {
  Digest m = write_oci_layout(tmp_ / "layout", {Layer{{file("a", "a")}}}, "example.com/x:1");
  // Tamper with the manifest's bytes: its name no longer matches.
  write_text(tmp_ / ("layout/blobs/sha256/" + m.hex()), "{\"tampered\": true}");
  auto loaded = store_->load(tmp_ / "layout");
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message().find("digest mismatch"), std::string::npos) << loaded.error().message();
  EXPECT_FALSE(store_->blobs().contains(m));
}

TEST_F(LoadTest, RemoveAndPrune) {
  auto loaded = store_->load(make_test_image(tmp_.path()));
  ASSERT_TRUE(loaded);
  auto image = store_->find("busybox");
  ASSERT_TRUE(image && image->has_value());
  auto dirs = store_->layer_dirs(**image);
  ASSERT_TRUE(dirs);
  // In use: prune keeps it even with all=true.
  auto kept = store_->prune({(*loaded)[0].id}, PruneOptions{.all = true});
  ASSERT_TRUE(kept) << kept.error().message();
  EXPECT_TRUE(kept->images.empty());
  EXPECT_TRUE(fs::exists(dirs->front() + "/bin/busybox"));

  auto removed = store_->remove("busybox");
  ASSERT_TRUE(removed) << removed.error().message();
  EXPECT_EQ(removed->untagged, std::vector<std::string>{"docker.io/library/busybox:latest"});
  ASSERT_TRUE(removed->deleted);
  EXPECT_FALSE(fs::exists(dirs->front()));
  EXPECT_TRUE(store_->blobs().list()->empty());
  EXPECT_TRUE(store_->list()->empty());
  EXPECT_FALSE(store_->remove("busybox"));
}

}  // namespace
}  // namespace stack::image
