#include "util/tmpfs_options.hpp"

#include <gtest/gtest.h>
#include <sys/mount.h>

namespace stack::util {
namespace {

TEST(TmpfsOptions, FlagWordsApplyInOrderOnTheBase) {
  auto o = tmpfs_mount_options({"noexec", "ro", "exec", "noatime"}, MS_NOSUID | MS_NODEV);
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_EQ(o->flags, static_cast<unsigned long>(MS_NOSUID | MS_NODEV | MS_RDONLY | MS_NOATIME));
  EXPECT_EQ(o->data, "");
  auto suid = tmpfs_mount_options({"suid", "dev", "rw"}, MS_NOSUID | MS_NODEV | MS_RDONLY);
  ASSERT_TRUE(suid);
  EXPECT_EQ(suid->flags, 0ul);
}

TEST(TmpfsOptions, TmpfsOwnOptionsGoToTheData) {
  auto o = tmpfs_mount_options({"uid=1000", "gid=1000", "nr_inodes=10k", "nr_blocks=2m", "huge=within_size"});
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_EQ(o->flags, 0ul);
  EXPECT_EQ(o->data, "uid=1000,gid=1000,nr_inodes=10k,nr_blocks=2m,huge=within_size");
}

TEST(TmpfsOptions, UnknownWordsAndBadValuesNameThemselves) {
  EXPECT_EQ(tmpfs_mount_options({"bind"}).error().message(), "'bind' is not a tmpfs mount option");
  EXPECT_EQ(tmpfs_mount_options({"mpol=default"}).error().message(), "'mpol=default' is not a tmpfs mount option");
  EXPECT_EQ(tmpfs_mount_options({"uid=-1"}).error().message(), "tmpfs option 'uid=-1': uid must be a number");
  EXPECT_EQ(tmpfs_mount_options({"nr_inodes=1t"}).error().message(),
            "tmpfs option 'nr_inodes=1t': nr_inodes must be a number, with k, m or g");
  EXPECT_EQ(tmpfs_mount_options({"huge=sometimes"}).error().message(),
            "tmpfs option 'huge=sometimes': huge must be never, always, within_size or advise");
  EXPECT_FALSE(tmpfs_mount_options({""}));
}

}  // namespace
}  // namespace stack::util
