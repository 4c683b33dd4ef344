#include "util/top_directory.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <gtest/gtest.h>

#include "support/rootfs.hpp"
#include "util/fd.hpp"

namespace stack::util {
namespace {

int flags_of(const std::string& path) {
  auto fd = UniqueFd::open(path, O_RDONLY | O_DIRECTORY);
  int flags = 0;
  if (!fd || ::ioctl(fd->get(), FS_IOC_GETFLAGS, &flags) != 0) return -1;
  return flags;
}

bool on_ext4(const std::string& path) {
  struct statfs fs {};
  return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == EXT4_SUPER_MAGIC;
}

TEST(MarkTopDirectory, SetsTheFlagOnceAndKeepsTheOthers) {
  test::TempDir dir("top-dir");
  ASSERT_FALSE(dir.path().empty());
  std::string target = dir / "containers";
  ASSERT_EQ(::mkdir(target.c_str(), 0711), 0);
  int before = flags_of(target);
  bool marked = mark_top_directory(target);
  // The machine's /tmp (and CI's) is ext4, where the flag exists: there it must be set.
  if (on_ext4(target)) {
    ASSERT_TRUE(marked);
  }
  if (!marked) GTEST_SKIP() << "this filesystem has no top-directory flag";
  int after = flags_of(target);
  EXPECT_TRUE(after & FS_TOPDIR_FL);
  EXPECT_EQ(after & ~FS_TOPDIR_FL, before & ~FS_TOPDIR_FL);
  EXPECT_TRUE(mark_top_directory(target));  // already set: still true, nothing else changes
  EXPECT_EQ(flags_of(target), after);
}

TEST(MarkTopDirectory, IsFalseForWhatIsNoDirectory) {
  test::TempDir dir("top-dir");
  ASSERT_TRUE(test::write_text(dir / "file", "x"));
  EXPECT_FALSE(mark_top_directory(dir / "file"));
  EXPECT_FALSE(mark_top_directory(dir / "missing"));
}

}  // namespace
}  // namespace stack::util
