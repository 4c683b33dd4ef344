#include "util/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>

#include <gtest/gtest.h>

#include "support/rootfs.hpp"

// flock(2) locks belong to an open file description, so two locks taken in one process through
// two opens conflict as two processes' would: these tests need no second process and never block.
namespace stack::util {
namespace {

// Whether a non-blocking lock of path in mode would be granted now; an error fails the test.
bool free_for(const std::string& path, LockMode mode = LockMode::exclusive) {
  auto lock = FileLock::try_acquire(path, mode);
  EXPECT_TRUE(lock) << lock.error().message();
  return lock && lock->has_value();
}

TEST(FileLock, SharedLocksCoexist) {
  test::TempDir dir("file-lock");
  auto first = FileLock::acquire(dir / "lock", LockMode::shared);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_TRUE(free_for(dir / "lock", LockMode::shared));
}

TEST(FileLock, ExclusiveExcludesBothModes) {
  test::TempDir dir("file-lock");
  auto held = FileLock::acquire(dir / "lock");
  ASSERT_TRUE(held);
  EXPECT_FALSE(free_for(dir / "lock", LockMode::exclusive));
  EXPECT_FALSE(free_for(dir / "lock", LockMode::shared));
}

TEST(FileLock, SharedExcludesExclusive) {
  test::TempDir dir("file-lock");
  auto held = FileLock::acquire(dir / "lock", LockMode::shared);
  ASSERT_TRUE(held);
  EXPECT_FALSE(free_for(dir / "lock"));
}

TEST(FileLock, TryTakesAFreeLockAndReleasesItWhenDropped) {
  test::TempDir dir("file-lock");
  {
    auto first = FileLock::try_acquire(dir / "lock");
    ASSERT_TRUE(first);
    ASSERT_TRUE(first->has_value());
    struct stat st {};
    ASSERT_EQ(::stat((dir / "lock").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }
  EXPECT_TRUE(free_for(dir / "lock"));
}

TEST(FileLock, UpgradeTurnsSharedIntoExclusive) {
  test::TempDir dir("file-lock");
  auto held = FileLock::acquire(dir / "lock", LockMode::shared);
  ASSERT_TRUE(held);
  ASSERT_TRUE(held->upgrade());
  EXPECT_FALSE(free_for(dir / "lock", LockMode::shared));
}

TEST(FileLock, ReleasedDescriptorKeepsTheLock) {
  test::TempDir dir("file-lock");
  auto held = FileLock::acquire(dir / "lock");
  ASSERT_TRUE(held);
  UniqueFd fd = std::move(*held).release();
  EXPECT_FALSE(free_for(dir / "lock"));
  fd.reset();
  EXPECT_TRUE(free_for(dir / "lock"));
}

TEST(FileLock, UnlinkedLockFileLetsANewcomerLockAFreshFile) {
  test::TempDir dir("file-lock");
  auto held = FileLock::acquire(dir / "lock");
  ASSERT_TRUE(held);
  held->unlink();
  EXPECT_TRUE(free_for(dir / "lock"));
}

TEST(FileLock, DirectoryLockExcludesAndNeverCreates) {
  test::TempDir dir("file-lock");
  auto missing = FileLock::acquire_directory(dir / "missing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), Errc::not_found);
  ASSERT_EQ(::mkdir((dir / "cache").c_str(), 0700), 0);
  auto held = FileLock::acquire_directory(dir / "cache");
  ASSERT_TRUE(held) << held.error().message();
  auto other = UniqueFd::open(dir / "cache", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(other);
  EXPECT_NE(::flock(other->get(), LOCK_SH | LOCK_NB), 0);
  EXPECT_EQ(errno, EWOULDBLOCK);
}

}  // namespace
}  // namespace stack::util
