// Whiteouts end to end: a two-layer image whose upper layer deletes a file and makes a directory
// opaque, unpacked by the store and mounted with overlayfs in a private mount namespace of a forked
// child (so no mount can outlive the test).
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "image/local_store.hpp"
#include "image_fixture.hpp"

namespace stack::image {
namespace {

using namespace testing_support;

// Bits of the child's exit status, one per failed check.
enum : int {
  kMountFailed = 1,
  kKeepMissing = 2,
  kGoneVisible = 4,
  kOldVisible = 8,
  kNewMissing = 16,
  kNamespaceFailed = 32,
};

int check_in_namespace(const std::string& lowerdir, const std::string& target) {
  if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return kNamespaceFailed;
  }
  std::string opts = "lowerdir=" + lowerdir;
  if (::mount("overlay", target.c_str(), "overlay", MS_RDONLY, opts.c_str()) != 0) return kMountFailed;
  int status = 0;
  if (::access((target + "/etc/keep").c_str(), F_OK) != 0) status |= kKeepMissing;
  if (::access((target + "/etc/gone").c_str(), F_OK) == 0) status |= kGoneVisible;
  if (::access((target + "/cache/old").c_str(), F_OK) == 0) status |= kOldVisible;
  if (::access((target + "/cache/new").c_str(), F_OK) != 0) status |= kNewMissing;
  return status;  // the namespace, and the mount with it, go away with this process
}

TEST(WhiteoutOverlay, UpperLayerHidesLowerFiles) {
  ASSERT_EQ(::geteuid(), 0u) << "integration tests run as root";
  TempDir tmp;
  auto store = LocalStore::open(tmp / "root/images");
  ASSERT_TRUE(store) << store.error().message();
  Layer lower{{dir("etc"), file("etc/keep", "k"), file("etc/gone", "g"), dir("cache"), file("cache/old", "o")},
              Compression::gzip};
  Layer upper{{dir("etc"), file("etc/.wh.gone", ""), dir("cache"), file("cache/.wh..wh..opq", ""),
               file("cache/new", "n")},
              Compression::zstd};
  write_oci_layout(tmp / "layout", {lower, upper}, "example.com/whiteout:1");
  ASSERT_TRUE((*store)->load(tmp / "layout"));
  auto image = (*store)->find("example.com/whiteout:1");
  ASSERT_TRUE(image && image->has_value());
  auto dirs = (*store)->layer_dirs(**image);
  ASSERT_TRUE(dirs) << dirs.error().message();
  ASSERT_EQ(dirs->size(), 2u);

  // The overlayfs forms on disk.
  struct stat st;
  ASSERT_EQ(::lstat(((*dirs)[0] + "/etc/gone").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  EXPECT_FALSE(fs::exists((*dirs)[0] + "/etc/.wh.gone"));
  EXPECT_FALSE(fs::exists((*dirs)[0] + "/cache/.wh..wh..opq"));
  char value[4] = {};
  EXPECT_EQ(::getxattr(((*dirs)[0] + "/cache").c_str(), "trusted.overlay.opaque", value, sizeof value), 1);
  EXPECT_EQ(value[0], 'y');

  std::string target = tmp / "mnt";
  fs::create_directories(target);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) ::_exit(check_in_namespace((*dirs)[0] + ":" + (*dirs)[1], target));
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "failed checks (bits): " << WEXITSTATUS(status);
  // Nothing mounted here from the test's own namespace.
  EXPECT_TRUE(fs::is_empty(target));
}

}  // namespace
}  // namespace stack::image
