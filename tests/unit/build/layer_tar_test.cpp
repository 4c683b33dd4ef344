// Layers written by the builder: reproducible bytes, times clamped, whiteouts in OCI form. No root:
// the blob store lives in a temporary directory.
#include "build/layer_tar.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "support/rootfs.hpp"

namespace stack::build {
namespace {

struct Seen {
  std::string path;
  int64_t mtime;
  mode_t mode;
  std::string link;
};

std::vector<Seen> read_layer(const std::string& blob) {
  std::vector<Seen> out;
  archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_filename(a, blob.c_str(), 10240), ARCHIVE_OK);
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    out.push_back({archive_entry_pathname(e), archive_entry_mtime(e), archive_entry_mode(e),
                   archive_entry_symlink(e) ? archive_entry_symlink(e) : ""});
  }
  archive_read_free(a);
  return out;
}

class LayerTarTest : public testing::Test {
 protected:
  void SetUp() override {
    auto blobs = image::BlobStore::open(dir_ / "blobs");
    ASSERT_TRUE(blobs) << blobs.error().message();
    blobs_.emplace(std::move(*blobs));
    ASSERT_TRUE(test::write_text(dir_ / "content", "hello\n"));
  }

  image::LayerInfo write(int64_t mtime, int64_t epoch) {
    auto tar = LayerTar::create(*blobs_, epoch);
    EXPECT_TRUE(tar);
    TarEntry d{.path = "app", .mode = S_IFDIR | 0755, .mtime = mtime};
    EXPECT_TRUE(tar->add(d));
    int fd = ::open((dir_ / "content").c_str(), O_RDONLY);
    TarEntry f{.path = "app/hello.txt", .mode = S_IFREG | 0644, .uid = 1000, .gid = 1000, .mtime = mtime, .size = 6};
    EXPECT_TRUE(tar->add(f, fd));
    ::close(fd);
    TarEntry l{.path = "app/link", .mode = S_IFLNK | 0777, .mtime = mtime, .link = "hello.txt"};
    EXPECT_TRUE(tar->add(l));
    EXPECT_TRUE(tar->add_whiteout("etc/gone"));
    EXPECT_TRUE(tar->add_opaque("var/cache"));
    auto info = tar->finish();
    EXPECT_TRUE(info) << info.error().message();
    return info ? *info : image::LayerInfo{};
  }

  test::TempDir dir_{"stack-layer-tar"};
  std::optional<image::BlobStore> blobs_;
};

TEST_F(LayerTarTest, ReproducibleAndClamped) {
  image::LayerInfo a = write(1700000000, 0);
  image::LayerInfo b = write(1600000000, 0);  // other times, all clamped to the epoch
  EXPECT_EQ(a.blob, b.blob);
  EXPECT_EQ(a.diff_id, b.diff_id);
  EXPECT_EQ(a.media_type, "application/vnd.oci.image.layer.v1.tar");
  EXPECT_EQ(a.diff_id, a.blob);  // uncompressed
  EXPECT_TRUE(blobs_->contains(a.blob));
  auto size = blobs_->size(a.blob);
  ASSERT_TRUE(size);
  EXPECT_EQ(static_cast<int64_t>(*size), a.size);

  auto entries = read_layer(blobs_->path(a.blob));
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].path, "app/");
  EXPECT_EQ(entries[1].path, "app/hello.txt");
  EXPECT_EQ(entries[2].link, "hello.txt");
  EXPECT_EQ(entries[3].path, "etc/.wh.gone");
  EXPECT_EQ(entries[4].path, "var/cache/.wh..wh..opq");
  for (const auto& e : entries) EXPECT_EQ(e.mtime, 0) << e.path;
}

TEST_F(LayerTarTest, EpochKeepsEarlierTimes) {
  image::LayerInfo layer = write(1000, 5000);
  auto entries = read_layer(blobs_->path(layer.blob));
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries[0].mtime, 1000);
  image::LayerInfo later = write(9000, 5000);
  EXPECT_EQ(read_layer(blobs_->path(later.blob))[0].mtime, 5000);
}

TEST_F(LayerTarTest, ShortFileIsAnError) {
  auto tar = LayerTar::create(*blobs_, 0);
  ASSERT_TRUE(tar);
  int fd = ::open((dir_ / "content").c_str(), O_RDONLY);
  TarEntry f{.path = "x", .mode = S_IFREG | 0644, .size = 100};
  auto added = tar->add(f, fd);
  ::close(fd);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().message(), "'x' changed size while being read");
}

// A layer larger than the 1 MiB the blob is written in: its blob is the whole archive, in order.
TEST_F(LayerTarTest, ALargeFileIsWrittenWholeInChunks) {
  std::string big;
  for (int i = 0; big.size() < (5u << 20) + 123; ++i) big += std::to_string(i) + "\n";
  ASSERT_TRUE(test::write_text(dir_ / "big", big));
  auto tar = LayerTar::create(*blobs_, 0);
  ASSERT_TRUE(tar);
  int fd = ::open((dir_ / "big").c_str(), O_RDONLY);
  TarEntry f{.path = "big", .mode = S_IFREG | 0644, .size = static_cast<int64_t>(big.size())};
  ASSERT_TRUE(tar->add(f, fd));
  ::close(fd);
  TarEntry after{.path = "after", .mode = S_IFDIR | 0755};
  ASSERT_TRUE(tar->add(after));
  auto info = tar->finish();
  ASSERT_TRUE(info) << info.error().message();
  std::string path = blobs_->path(info->blob);
  auto paths = read_layer(path);
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[0].path, "big");
  EXPECT_EQ(paths[1].path, "after/");
  // The store verified the digest on commit; the file holds the archive with the file's bytes.
  std::string stored = test::read_text(path);
  EXPECT_NE(stored.find(big), std::string::npos);
  EXPECT_EQ(static_cast<int64_t>(stored.size()), info->size);
}

}  // namespace
}  // namespace stack::build
