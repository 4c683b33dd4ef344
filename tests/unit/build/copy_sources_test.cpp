// COPY source selection and the layered view it resolves destinations through, on temporary
// directories (no root: no whiteout devices or trusted xattrs here; the root tests cover those).
#include "build/copy_sources.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "support/rootfs.hpp"

namespace stack::build {
namespace {

namespace fs = std::filesystem;

class CopySourcesTest : public testing::Test {
 protected:
  void SetUp() override {
    for (const char* d : {"ctx/dir/sub", "lower/usr/bin", "lower/etc", "upper/etc"}) fs::create_directories(tmp_ / d);
    write("ctx/a.txt", "a");
    write("ctx/b.txt", "b");
    write("ctx/c.md", "c");
    write("ctx/dir/x", "x");
    write("ctx/dir/sub/y", "y");
    write("lower/etc/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n");
    write("lower/etc/group", "root:x:0:\nstaff:x:50:\n");
    write("upper/etc/group", "root:x:0:\nstaff:x:51:\n");
    fs::create_symlink("usr/bin", tmp_ / "lower/bin");
    fs::create_symlink("/usr/bin", tmp_ / "upper/abs");
  }

  void write(const std::string& rel, const std::string& text) { ASSERT_TRUE(test::write_text(tmp_ / rel, text)); }

  RootfsView view() const { return RootfsView({tmp_ / "upper", tmp_ / "lower"}); }

  Result<CopySelection> select(std::vector<std::string> sources, std::string dest, const std::string& ignore = "") {
    auto rules = IgnoreRules::parse(ignore);
    EXPECT_TRUE(rules);
    auto tree = context_tree(tmp_ / "ctx", *rules);
    return select_sources(*tree, {std::move(sources), std::move(dest), false}, view());
  }

  static std::vector<std::string> dests(const CopySelection& s) {
    std::vector<std::string> out;
    for (const auto& i : s.items) out.push_back(i.dest);
    return out;
  }

  test::TempDir tmp_{"stack-copy-sources"};
};

TEST_F(CopySourcesTest, ViewResolvesSymlinksInsideTheRoot) {
  RootfsView v = view();
  auto r = v.resolve("bin/tool", true);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "usr/bin/tool");
  auto abs = v.resolve("abs/../../../x", true);
  ASSERT_TRUE(abs);
  EXPECT_EQ(*abs, "x");  // /usr/bin, then up three times: clamped at the root
  EXPECT_EQ(*v.read_small_file("etc/group"), "root:x:0:\nstaff:x:51:\n");  // the upper layer wins
  EXPECT_EQ(v.list("etc"), (std::vector<std::string>{"group", "passwd"}));
  EXPECT_EQ(v.list(""), (std::vector<std::string>{"abs", "bin", "etc", "usr"}));
}

TEST_F(CopySourcesTest, Chown) {
  auto named = resolve_chown(view(), "app:staff");
  ASSERT_TRUE(named) << named.error().message();
  EXPECT_EQ(named->first, 1000u);
  EXPECT_EQ(named->second, 51u);
  auto user_only = resolve_chown(view(), "app");
  ASSERT_TRUE(user_only);
  EXPECT_EQ(user_only->second, 1001u);
  auto numeric = resolve_chown(view(), "7:8");
  ASSERT_TRUE(numeric);
  EXPECT_EQ(*numeric, std::make_pair(7u, 8u));
  auto missing = resolve_chown(view(), "ghost");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "--chown: unable to find user 'ghost' in /etc/passwd");
}

TEST_F(CopySourcesTest, FileDirectoryAndGlob) {
  auto one = select({"a.txt"}, "/opt/a.txt");
  ASSERT_TRUE(one) << one.error().message();
  EXPECT_EQ(dests(*one), (std::vector<std::string>{"opt/a.txt"}));
  auto into = select({"a.txt"}, "/opt/");
  ASSERT_TRUE(into);
  EXPECT_EQ(dests(*into), (std::vector<std::string>{"opt/a.txt"}));
  auto existing_dir = select({"a.txt"}, "/etc");
  ASSERT_TRUE(existing_dir);
  EXPECT_EQ(dests(*existing_dir), (std::vector<std::string>{"etc/a.txt"}));
  auto through_link = select({"a.txt"}, "/bin/");
  ASSERT_TRUE(through_link);
  EXPECT_EQ(dests(*through_link), (std::vector<std::string>{"usr/bin/a.txt"}));
  auto dir = select({"dir"}, "/d");
  ASSERT_TRUE(dir);
  EXPECT_EQ(dests(*dir), (std::vector<std::string>{"d/sub", "d/sub/y", "d/x"}));
  auto glob = select({"*.txt"}, "/g/");
  ASSERT_TRUE(glob);
  EXPECT_EQ(dests(*glob), (std::vector<std::string>{"g/a.txt", "g/b.txt"}));
}

TEST_F(CopySourcesTest, DigestFollowsContentNotTimes) {
  auto first = select({"."}, "/c/");
  ASSERT_TRUE(first);
  ASSERT_EQ(::utime((tmp_ / "ctx/a.txt").c_str(), nullptr), 0);
  auto touched = select({"."}, "/c/");
  ASSERT_TRUE(touched);
  EXPECT_EQ(first->digest, touched->digest);
  write("ctx/a.txt", "A");
  auto changed = select({"."}, "/c/");
  ASSERT_TRUE(changed);
  EXPECT_NE(first->digest, changed->digest);
  auto other_dest = select({"."}, "/elsewhere/");
  ASSERT_TRUE(other_dest);
  EXPECT_NE(changed->digest, other_dest->digest);
}

// COPY --exclude: .dockerignore's syntax, matched below each source (a directory's paths relative
// to it, a file's name), with .dockerignore's rules still applied.
TEST_F(CopySourcesTest, ExcludePatternsApplyBelowEachSource) {
  auto tree = context_tree(tmp_ / "ctx", *IgnoreRules::parse("c.md\n"));
  CopyRequest req{{"."}, "/c/", false, *IgnoreRules::parse("*.txt\ndir/sub\n", "--exclude")};
  auto all = select_sources(*tree, req, view());
  ASSERT_TRUE(all) << all.error().message();
  EXPECT_EQ(dests(*all), (std::vector<std::string>{"c/dir", "c/dir/x"}));
  CopyRequest below{{"dir"}, "/d/", false, *IgnoreRules::parse("sub\n", "--exclude")};
  auto dir = select_sources(*tree, below, view());
  ASSERT_TRUE(dir);
  EXPECT_EQ(dests(*dir), (std::vector<std::string>{"d/x"})) << "relative to the source: 'sub', not 'dir/sub'";
  CopyRequest glob{{"*.txt"}, "/g/", false, *IgnoreRules::parse("b.txt\n", "--exclude")};
  auto files = select_sources(*tree, glob, view());
  ASSERT_TRUE(files);
  EXPECT_EQ(dests(*files), (std::vector<std::string>{"g/a.txt"}));
}

// COPY --parents: each source keeps its path under the destination, from the root or from a "/./".
TEST_F(CopySourcesTest, ParentsKeepTheSourcesPaths) {
  auto tree = context_tree(tmp_ / "ctx", *IgnoreRules::parse(""));
  CopyRequest req{{"dir/sub/y", "./a.txt", "dir/./sub"}, "/p", false, IgnoreRules(), true};
  auto kept = select_sources(*tree, req, view());
  ASSERT_TRUE(kept) << kept.error().message();
  EXPECT_EQ(dests(*kept), (std::vector<std::string>{"p/a.txt", "p/dir/sub/y", "p/sub/y"}));
  CopyRequest glob{{"dir/*"}, "/g/", false, IgnoreRules(), true};
  auto globbed = select_sources(*tree, glob, view());
  ASSERT_TRUE(globbed);
  EXPECT_EQ(dests(*globbed), (std::vector<std::string>{"g/dir/sub/y", "g/dir/x"}));
}

TEST_F(CopySourcesTest, PreparedSourcesTakeTheirNames) {
  auto tree = context_tree(tmp_ / "ctx", *IgnoreRules::parse(""));
  write("dl", "downloaded");
  ViewEntry file{tmp_ / "dl", {}};
  ASSERT_EQ(::lstat(file.host_path.c_str(), &file.st), 0);
  CopyRequest one{{"http://127.0.0.1/x.tar"}, "/opt/y", true};
  one.prepared.push_back({"http://127.0.0.1/x.tar", "x.tar", file});
  auto named = select_sources(*tree, one, view());
  ASSERT_TRUE(named) << named.error().message();
  EXPECT_EQ(dests(*named), (std::vector<std::string>{"opt/y"}));
  EXPECT_FALSE(named->items[0].extract);
  CopyRequest many{{"<<EOF", "a.txt"}, "/d", false};
  many.prepared.push_back({"<<EOF", "EOF", file});
  auto both = select_sources(*tree, many, view());
  ASSERT_TRUE(both) << both.error().message();
  EXPECT_EQ(dests(*both), (std::vector<std::string>{"d/EOF", "d/a.txt"}));
}

TEST_F(CopySourcesTest, IgnoreRulesAndErrors) {
  auto all = select({"."}, "/c/", "*.md\ndir/sub\n");
  ASSERT_TRUE(all);
  EXPECT_EQ(dests(*all), (std::vector<std::string>{"c/a.txt", "c/b.txt", "c/dir", "c/dir/x"}));
  auto excluded = select({"c.md"}, "/c", "*.md\n");
  ASSERT_FALSE(excluded);
  EXPECT_EQ(excluded.error().message(), "'c.md' not found in the build context (or excluded by .dockerignore)");
  auto outside = select({"../x"}, "/x");
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().message(), "source '../x' is outside the build context");
  auto none = select({"*.go"}, "/x/");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "'*.go' not found in the build context (or excluded by .dockerignore)");
}

}  // namespace
}  // namespace stack::build
