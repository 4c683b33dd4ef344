// sys::mkdir_p: the whole path in one call when its parents exist, each missing parent otherwise.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "runtime/sys/file.hpp"
#include "support/rootfs.hpp"

namespace stack::runtime::sys {
namespace {

namespace fs = std::filesystem;

class MkdirP : public testing::Test {
 protected:
  test::TempDir tmp_{"stack-mkdirp"};
  const std::string& dir_ = tmp_.path();
};

TEST_F(MkdirP, MakesEveryMissingParentWithTheMode) {
  auto made = mkdir_p(dir_ + "/a/b/c", 0750);
  ASSERT_TRUE(made) << made.error().message();
  EXPECT_TRUE(*made);
  for (const char* d : {"/a", "/a/b", "/a/b/c"}) {
    struct stat st;
    ASSERT_EQ(::stat((dir_ + d).c_str(), &st), 0) << d;
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0750u & ~[] { mode_t m = ::umask(0); ::umask(m); return m; }()) << d;
  }
}

TEST_F(MkdirP, SaysWhetherTheLastComponentWasMade) {
  ASSERT_TRUE(mkdir_p(dir_ + "/x"));
  EXPECT_FALSE(mkdir_p(dir_ + "/x").value_or(true));
  EXPECT_FALSE(mkdir_p(dir_ + "/x/").value_or(true));  // a trailing slash names the same directory
  EXPECT_TRUE(mkdir_p(dir_ + "/x/y/").value_or(false));
  EXPECT_TRUE(fs::is_directory(dir_ + "/x/y"));
}

TEST_F(MkdirP, AFileInTheWayIsAnError) {
  std::ofstream(dir_ + "/file") << "x";
  auto last = mkdir_p(dir_ + "/file");
  ASSERT_FALSE(last);
  EXPECT_NE(last.error().message().find("not a directory"), std::string::npos) << last.error().message();
  auto below = mkdir_p(dir_ + "/file/sub");
  ASSERT_FALSE(below);
  EXPECT_NE(below.error().message().find("mkdir '" + dir_ + "/file/sub'"), std::string::npos)
      << below.error().message();
}

TEST_F(MkdirP, TheRootAndAnEmptyPath) {
  EXPECT_FALSE(mkdir_p("/").value_or(true));
  EXPECT_FALSE(mkdir_p(""));
}

}  // namespace
}  // namespace stack::runtime::sys
