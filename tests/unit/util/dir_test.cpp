#include "util/dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <set>

#include "support/rootfs.hpp"

namespace stack::util {
namespace {

TEST(DirStream, YieldsEveryEntryButDotAndDotDot) {
  test::TempDir dir("dir-stream");
  ASSERT_TRUE(test::write_text(dir / "a", "x"));
  ASSERT_EQ(::mkdir((dir / "b").c_str(), 0755), 0);
  auto stream = DirStream::open(dir.path());
  ASSERT_TRUE(stream) << stream.error().message();
  std::set<std::string> names;
  while (const dirent* e = stream->next()) names.insert(e->d_name);
  EXPECT_EQ(names, (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(stream->next(), nullptr);  // stays at the end
}

TEST(DirStream, FdServesAtCallsOnEntries) {
  test::TempDir dir("dir-stream");
  ASSERT_TRUE(test::write_text(dir / "doomed", "x"));
  auto stream = DirStream::open(dir.path());
  ASSERT_TRUE(stream);
  const dirent* e = stream->next();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(::unlinkat(stream->fd(), e->d_name, 0), 0);
  EXPECT_NE(::access((dir / "doomed").c_str(), F_OK), 0);
}

TEST(DirStream, AbsenceIsNotFound) {
  test::TempDir dir("dir-stream");
  auto stream = DirStream::open(dir / "missing");
  ASSERT_FALSE(stream);
  EXPECT_EQ(stream.error().code(), Errc::not_found);
  EXPECT_NE(stream.error().message().find("missing"), std::string::npos);
}

TEST(DirStream, MovedFromOwnsNothing) {
  test::TempDir dir("dir-stream");
  ASSERT_TRUE(test::write_text(dir / "a", "x"));
  auto opened = DirStream::open(dir.path());
  ASSERT_TRUE(opened);
  DirStream moved = std::move(*opened);
  const dirent* e = moved.next();
  ASSERT_NE(e, nullptr);
  EXPECT_STREQ(e->d_name, "a");
}

TEST(ListDir, SortsNames) {
  test::TempDir dir("dir-stream");
  for (const char* n : {"c", "a", "b"}) ASSERT_TRUE(test::write_text(dir / n, ""));
  auto names = list_dir(dir.path());
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(RemoveTree, RemovesATreeAndTakesAbsenceAsSuccess) {
  test::TempDir dir("dir-stream");
  ASSERT_EQ(::mkdir((dir / "t").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((dir / "t/sub").c_str(), 0755), 0);
  ASSERT_TRUE(test::write_text(dir / "t/sub/f", "x"));
  ASSERT_TRUE(test::write_text(dir / "kept", "x"));
  ASSERT_EQ(::symlink((dir / "kept").c_str(), (dir / "t/link").c_str()), 0);
  EXPECT_TRUE(remove_tree(dir / "t"));
  EXPECT_NE(::access((dir / "t").c_str(), F_OK), 0);
  EXPECT_EQ(::access((dir / "kept").c_str(), F_OK), 0);  // a symlink's target stays
  EXPECT_TRUE(remove_tree(dir / "t"));
}

}  // namespace
}  // namespace stack::util
