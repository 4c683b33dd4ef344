// ContainerFiles against a plain directory taken as the container's root (no root needed): files
// and directories copied with owner and mode, skipped entries, removals, and symlinks in the
// "container" that point out of it (absolute, or with "..") kept inside it.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/container_files.hpp"
#include "support/rootfs.hpp"

namespace stack::runtime {
namespace {

namespace fs = std::filesystem;

class ContainerFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(root_.path());
    fs::create_directories(host_ / "src/sub");
    ASSERT_TRUE(test::write_text(host_ / "src/a.txt", "a\n"));
    ASSERT_TRUE(test::write_text(host_ / "src/sub/b.txt", "b\n"));
    ASSERT_TRUE(test::write_text(host_ / "src/skip.tmp", "no\n"));
    ::chmod((host_ / "src/a.txt").c_str(), 0750);
    auto files = ContainerFiles::open_root(root_.path());
    ASSERT_TRUE(files) << files.error().message();
    files_.emplace(std::move(*files));
  }

  test::TempDir root_{"stack-cf-root"};
  test::TempDir host_{"stack-cf-host"};
  test::TempDir outside_{"stack-cf-outside"};
  std::optional<ContainerFiles> files_;
};

TEST_F(ContainerFilesTest, CopiesAFileIntoMissingDirectoriesWithItsMode) {
  auto r = files_->copy(host_ / "src/a.txt", "/app/deep/a.txt");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(test::read_text(root_ / "app/deep/a.txt"), "a\n");
  struct stat st {};
  ASSERT_EQ(::stat((root_ / "app/deep/a.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  EXPECT_EQ(st.st_uid, ::getuid());
  // Copied again over itself: replaced, no staged file left beside it.
  ASSERT_TRUE(test::write_text(host_ / "src/a.txt", "a2\n"));
  ASSERT_TRUE(files_->copy(host_ / "src/a.txt", "/app/deep/a.txt"));
  EXPECT_EQ(test::read_text(root_ / "app/deep/a.txt"), "a2\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(root_ / "app/deep"), fs::directory_iterator()), 1);
}

TEST_F(ContainerFilesTest, CopiesADirectoryWithoutTheSkippedEntries) {
  auto r = files_->copy(host_ / "src", "/www", [](const std::string& p) { return p.ends_with(".tmp"); });
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(test::read_text(root_ / "www/a.txt"), "a\n");
  EXPECT_EQ(test::read_text(root_ / "www/sub/b.txt"), "b\n");
  EXPECT_FALSE(fs::exists(root_ / "www/skip.tmp"));
  ASSERT_EQ(::symlink("a.txt", (host_ / "src/link").c_str()), 0);
  ASSERT_TRUE(files_->copy(host_ / "src/link", "/www/link"));
  EXPECT_EQ(fs::read_symlink(root_ / "www/link"), "a.txt");
}

TEST_F(ContainerFilesTest, SymlinksInTheContainerStayInsideIt) {
  fs::create_directories(root_ / "www");
  ASSERT_EQ(::symlink(outside_.path().c_str(), (root_ / "www/abs").c_str()), 0);  // absolute
  // Dangling inside the root: an error, never a write through the host's path of that name.
  EXPECT_FALSE(files_->copy(host_ / "src/a.txt", "/www/abs/a.txt"));
  EXPECT_TRUE(fs::is_empty(outside_.path()));
  fs::create_directories(root_.path() + outside_.path());
  ASSERT_EQ(::symlink("../../../../../..", (root_ / "www/up").c_str()), 0);      // climbs
  ASSERT_TRUE(files_->copy(host_ / "src/a.txt", "/www/abs/a.txt"));
  ASSERT_TRUE(files_->copy(host_ / "src/a.txt", "/www/up/" + fs::path(outside_.path()).filename().string() + "/b.txt"));
  EXPECT_TRUE(fs::is_empty(outside_.path())) << "a copy left the root";
  EXPECT_EQ(test::read_text(root_.path() + outside_.path() + "/a.txt"), "a\n");  // the root's own path
  // A symlink at the final name is replaced by the file, never followed.
  ASSERT_TRUE(test::write_text(outside_ / "victim", "keep\n"));
  ASSERT_EQ(::symlink((outside_ / "victim").c_str(), (root_ / "www/final").c_str()), 0);
  ASSERT_TRUE(files_->copy(host_ / "src/a.txt", "/www/final"));
  EXPECT_FALSE(fs::is_symlink(root_ / "www/final"));
  EXPECT_EQ(test::read_text(outside_ / "victim"), "keep\n");
}

TEST_F(ContainerFilesTest, RemovesTreesAndSymlinksNotWhatTheyPointAt) {
  ASSERT_TRUE(files_->copy(host_ / "src", "/www"));
  ASSERT_TRUE(test::write_text(outside_ / "victim", "keep\n"));
  ASSERT_EQ(::symlink(outside_.path().c_str(), (root_ / "www/out").c_str()), 0);
  auto removed = files_->remove("/www/out");
  ASSERT_TRUE(removed) << removed.error().message();
  EXPECT_TRUE(*removed);
  EXPECT_EQ(test::read_text(outside_ / "victim"), "keep\n");
  auto tree = files_->remove("/www/sub");
  ASSERT_TRUE(tree && *tree);
  EXPECT_FALSE(fs::exists(root_ / "www/sub"));
  auto absent = files_->remove("/www/nothing/here");
  ASSERT_TRUE(absent);
  EXPECT_FALSE(*absent);
  EXPECT_FALSE(files_->remove("/"));
}

}  // namespace
}  // namespace stack::runtime
