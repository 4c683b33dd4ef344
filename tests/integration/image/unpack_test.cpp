// What an unpacked layer keeps: owners, modes with setuid/setgid/sticky, xattrs (including file
// capabilities), hard links, symlinks, device nodes and fifos; gzip, zstd and plain layers alike.
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "image/local_store.hpp"
#include "image_fixture.hpp"

namespace stack::image {
namespace {

using namespace testing_support;

std::vector<TarEntry> feature_entries() {
  TarEntry suid = file("usr/bin/su", "su binary", 04755);
  TarEntry owned = file("home/app/data", "data", 0640);
  owned.uid = 1000;
  owned.gid = 1001;
  TarEntry capped = file("usr/bin/ping", "ping binary", 0755);
  // vfs_cap_data v2: cap_net_raw (13) permitted+effective.
  std::string cap("\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);
  capped.xattrs = {{"security.capability", cap}, {"user.note", "kept"}};
  TarEntry null_dev{.path = "dev/null", .type = AE_IFCHR, .perm = 0666, .rdev = makedev(1, 3)};
  TarEntry fifo{.path = "run/fifo", .type = AE_IFIFO, .perm = 0600};
  TarEntry smuggled = file("etc/smuggle", "x");
  smuggled.xattrs = {{"trusted.overlay.redirect", "/etc"}};
  return {dir("usr"), dir("usr/bin"), suid, capped, dir("home"), dir("home/app", 02770), owned,
          dir("tmp", 01777), dir("dev"), null_dev, dir("run"), fifo,
          hardlink("usr/bin/su-link", "usr/bin/su"), symlink("usr/bin/sudo", "su"),
          symlink("etc-abs", "/etc/passwd"), dir("etc"), smuggled};
}

class Unpack : public testing::TestWithParam<Compression> {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "integration tests run as root";
    auto store = LocalStore::open(tmp_ / "root/images");
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }
  TempDir tmp_;
  std::unique_ptr<LocalStore> store_;
};

TEST_P(Unpack, KeepsEverything) {
  write_oci_layout(tmp_ / "layout", {Layer{feature_entries(), GetParam()}}, "example.com/features:1");
  ASSERT_TRUE(store_->load(tmp_ / "layout"));
  auto image = store_->find("example.com/features:1");
  ASSERT_TRUE(image && image->has_value());
  auto dirs = store_->layer_dirs(**image);
  ASSERT_TRUE(dirs) << dirs.error().message();
  std::string root = dirs->front();
  struct stat st;
  ASSERT_EQ(::lstat((root + "/usr/bin/su").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_nlink, 2u);  // the hard link
  ASSERT_EQ(::lstat((root + "/home/app/data").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 1001u);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_mtime, 1700000000);
  ASSERT_EQ(::lstat((root + "/home/app").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 02770u);
  ASSERT_EQ(::lstat((root + "/tmp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u);
  ASSERT_EQ(::lstat((root + "/dev/null").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(1, 3));
  ASSERT_EQ(::lstat((root + "/run/fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(fs::read_symlink(root + "/usr/bin/sudo"), "su");
  EXPECT_EQ(fs::read_symlink(root + "/etc-abs"), "/etc/passwd");
  char buf[64];
  EXPECT_EQ(::getxattr((root + "/usr/bin/ping").c_str(), "security.capability", buf, sizeof buf), 20);
  ssize_t n = ::getxattr((root + "/usr/bin/ping").c_str(), "user.note", buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "kept");
  EXPECT_LT(::getxattr((root + "/etc/smuggle").c_str(), "trusted.overlay.redirect", buf, sizeof buf), 0);
}

INSTANTIATE_TEST_SUITE_P(Compressions, Unpack,
                         testing::Values(Compression::gzip, Compression::zstd, Compression::none),
                         [](const auto& info) {
                           return info.param == Compression::gzip   ? std::string("gzip")
                                  : info.param == Compression::zstd ? std::string("zstd")
                                                                    : std::string("plain");
                         });

TEST(UnpackMixed, GzipAndZstdLayersInOneImage) {
  ASSERT_EQ(::geteuid(), 0u);
  TempDir tmp;
  auto store = LocalStore::open(tmp / "root/images");
  ASSERT_TRUE(store);
  write_oci_layout(tmp / "layout",
                   {Layer{{dir("a"), file("a/one", "1")}, Compression::gzip},
                    Layer{{dir("a"), file("a/two", "2")}, Compression::zstd}},
                   "example.com/mixed:1");
  ASSERT_TRUE((*store)->load(tmp / "layout"));
  auto image = (*store)->find("example.com/mixed:1");
  ASSERT_TRUE(image && image->has_value());
  auto dirs = (*store)->layer_dirs(**image);
  ASSERT_TRUE(dirs) << dirs.error().message();
  ASSERT_EQ(dirs->size(), 2u);
  EXPECT_EQ(read_text((*dirs)[0] + "/a/two"), "2");  // top first
  EXPECT_EQ(read_text((*dirs)[1] + "/a/one"), "1");
  // Unpacked once: a second call finds the directories as they are.
  auto again = (*store)->layer_dirs(**image);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *dirs);
}

}  // namespace
}  // namespace stack::image
