// The memo of large files' digests: used only while the file's identity and times are the same,
// written only for files that have settled, and never a different digest than a read gives.
#include "build/content_memo.hpp"

#include <sys/stat.h>
#include <utime.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/rootfs.hpp"
#include "util/sha256.hpp"

namespace stack::build {
namespace {

namespace fs = std::filesystem;

struct stat memo_stat_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::lstat(p.c_str(), &st), 0);
  return st;
}

class ContentMemoTest : public testing::Test {
 protected:
  void write_big(char fill) {
    std::ofstream(file_, std::ios::binary | std::ios::trunc) << std::string(ContentMemo::kMinSize + 10, fill);
  }
  // Moves mtime back; ctime stays "now" (nothing can set it), so the file has not settled.
  void age_mtime() {
    struct utimbuf t {1000, 1000};
    ASSERT_EQ(::utime(file_.c_str(), &t), 0);
  }
  std::string expected(char fill) const { return util::sha256_hex(std::string(ContentMemo::kMinSize + 10, fill)); }

  test::TempDir tmp_{"stack-content-memo"};
  fs::path file_ = fs::path(tmp_.path()) / "big.bin";
  std::string memo_dir_ = tmp_.path() + "/memo";
};

TEST_F(ContentMemoTest, ALineMatchesOnlyTheSameIdentitySizeAndTimes) {
  write_big('a');
  struct stat st = memo_stat_of(file_);
  std::string hex(64, 'f');
  std::string line = ContentMemo::format(st, hex);
  EXPECT_EQ(ContentMemo::match(line, st), hex);
  for (auto change : {+[](struct stat& s) { s.st_size += 1; }, +[](struct stat& s) { s.st_ino += 1; },
                      +[](struct stat& s) { s.st_dev += 1; }, +[](struct stat& s) { s.st_mtim.tv_nsec ^= 1; },
                      +[](struct stat& s) { s.st_ctim.tv_nsec ^= 1; }}) {
    struct stat other = st;
    change(other);
    EXPECT_FALSE(ContentMemo::match(line, other));
  }
  EXPECT_FALSE(ContentMemo::match(line.substr(0, line.size() - 2) + "\n", st));  // torn
  EXPECT_FALSE(ContentMemo::match(ContentMemo::format(st, std::string(64, 'X')), st));
}

TEST_F(ContentMemoTest, OnlyAFileWhoseTimesAreOlderThanTheSettlingTimeIsRemembered) {
  struct stat st {};
  st.st_ctim.tv_sec = st.st_mtim.tv_sec = 100;
  EXPECT_FALSE(ContentMemo::settled(st, 100));
  EXPECT_FALSE(ContentMemo::settled(st, 100 + ContentMemo::kSettleSeconds));
  EXPECT_TRUE(ContentMemo::settled(st, 101 + ContentMemo::kSettleSeconds));
  st.st_ctim.tv_sec = 200;  // written again since: not settled, whatever mtime says
  EXPECT_FALSE(ContentMemo::settled(st, 101 + ContentMemo::kSettleSeconds));
}

TEST_F(ContentMemoTest, AFreshFileIsReadAndNotRemembered) {
  write_big('a');
  age_mtime();
  ContentMemo memo(memo_dir_);
  EXPECT_EQ(memo.sha256(file_, memo_stat_of(file_)), expected('a'));
  EXPECT_FALSE(fs::exists(memo_dir_));  // its ctime is now: a write could still hide behind it
}

TEST_F(ContentMemoTest, ARememberedDigestIsUsedOnlyWhileTheFileIsTheSame) {
  write_big('a');
  struct stat st = memo_stat_of(file_);
  ContentMemo memo(memo_dir_);
  // A memo for this identity and these times, with a digest no read would give: proof it is used.
  std::string fake(64, '0');
  fs::create_directories(memo_dir_);
  ASSERT_TRUE(test::write_text(memo.entry_path(st), ContentMemo::format(st, fake)));
  EXPECT_EQ(memo.sha256(file_, st), fake);
  write_big('b');  // new content, new ctime: read again
  EXPECT_EQ(memo.sha256(file_, memo_stat_of(file_)), expected('b'));
  // A small file never uses a memo.
  ASSERT_TRUE(test::write_text(file_, "small"));
  struct stat small = memo_stat_of(file_);
  ASSERT_TRUE(test::write_text(memo.entry_path(small), ContentMemo::format(small, fake)));
  EXPECT_EQ(memo.sha256(file_, small), util::sha256_hex("small"));
}

TEST_F(ContentMemoTest, WithoutADirectoryEveryFileIsRead) {
  write_big('c');
  EXPECT_EQ(ContentMemo().sha256(file_, memo_stat_of(file_)), expected('c'));
  EXPECT_FALSE(ContentMemo().sha256(tmp_.path() + "/missing", memo_stat_of(file_)));
}

}  // namespace
}  // namespace stack::build
