// ADD's git sources as BuildKit's Dockerfile frontend tells them from paths and downloads, their
// fragments, and the commit a ref names in `git ls-remote` output.
#include "build/git_source.hpp"

#include <gtest/gtest.h>

#include "build/url_source.hpp"

namespace stack::build {
namespace {

GitSource parsed(std::string_view word) {
  auto r = parse_git_source(word);
  EXPECT_TRUE(r) << word;
  EXPECT_TRUE(r && r->has_value()) << word;
  return r && *r ? **r : GitSource{};
}

TEST(GitSource, TellsRepositoriesFromPathsAndDownloads) {
  for (const char* git : {"https://github.com/moby/buildkit.git", "http://127.0.0.1:8080/r.git", "git://host/r",
                          "ssh://git@host/r.git", "git@github.com:moby/buildkit.git", "GIT://host/r",
                          "https://host/r.git?x=1", "https://host/r.git#main"}) {
    EXPECT_TRUE(is_git_source(git)) << git;
    EXPECT_FALSE(is_url_source(git)) << git;
  }
  for (const char* other : {"https://host/r", "https://host/r.git/x", "http://host/file.tar.gz", "src/app",
                            "a:b", "./x.git", "ftp://host/r.git", "@host:r", "user@:r", "github.com/moby/buildkit"}) {
    EXPECT_FALSE(is_git_source(other)) << other;
  }
  EXPECT_TRUE(is_url_source("https://host/r"));
}

TEST(GitSource, TheFragmentIsRefAndSubdir) {
  GitSource s = parsed("https://github.com/foo/bar.git#baz/qux:quux/quuz");
  EXPECT_EQ(s.remote, "https://github.com/foo/bar.git");
  EXPECT_EQ(s.ref, "baz/qux");
  EXPECT_EQ(s.subdir, "quux/quuz");
  s = parsed("git@host:r.git#v1");
  EXPECT_EQ(s.remote, "git@host:r.git");
  EXPECT_EQ(s.ref, "v1");
  EXPECT_EQ(s.subdir, "");
  s = parsed("git://host/r#:docs");
  EXPECT_EQ(s.ref, "");
  EXPECT_EQ(s.subdir, "docs");
  s = parsed("git://host/r");
  EXPECT_EQ(s.ref, "");
  EXPECT_EQ(s.subdir, "");
}

TEST(GitSource, TheCsvFragmentAfterTwoHashes) {
  GitSource s = parsed("https://host/r.git##ref=main,subdir=app,commit=0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(s.ref, "main");
  EXPECT_EQ(s.subdir, "app");
  EXPECT_EQ(s.commit, "0123456789abcdef0123456789abcdef01234567");
  s = parsed("https://host/r.git##commit=0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(s.ref, "0123456789abcdef0123456789abcdef01234567");  // the commit is the ref
  auto bad = parse_git_source("https://host/r.git##tag=v1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "unexpected key 'tag' in the fragment of 'https://host/r.git##tag=v1' (supported keys: ref, commit, subdir)");
  EXPECT_TRUE(is_git_source("https://host/r.git##tag=v1"));  // still a repository: the error is reported
  EXPECT_FALSE(parse_git_source("git://h/r##main"));
}

constexpr std::string_view kLsRemote =
    "1111111111111111111111111111111111111111\tHEAD\n"
    "2222222222222222222222222222222222222222\trefs/heads/main\n"
    "3333333333333333333333333333333333333333\trefs/heads/v1\n"
    "4444444444444444444444444444444444444444\trefs/tags/v1\n"
    "5555555555555555555555555555555555555555\trefs/tags/v1^{}\n"
    "6666666666666666666666666666666666666666\trefs/tags/light\n";

TEST(GitSource, ARefNamesTheCommitInGitsOrder) {
  EXPECT_EQ(pick_commit(kLsRemote, ""), "1111111111111111111111111111111111111111");
  EXPECT_EQ(pick_commit(kLsRemote, "main"), "2222222222222222222222222222222222222222");
  EXPECT_EQ(pick_commit(kLsRemote, "refs/heads/main"), "2222222222222222222222222222222222222222");
  // A tag before a branch of the same name, and an annotated tag's commit, not the tag object.
  EXPECT_EQ(pick_commit(kLsRemote, "v1"), "5555555555555555555555555555555555555555");
  EXPECT_EQ(pick_commit(kLsRemote, "light"), "6666666666666666666666666666666666666666");
  EXPECT_EQ(pick_commit(kLsRemote, "ABCDEFABCDEFABCDEFABCDEFABCDEFABCDEFABCD"), "abcdefabcdefabcdefabcdefabcdefabcdefabcd");
  EXPECT_FALSE(pick_commit(kLsRemote, "nope"));
  EXPECT_FALSE(pick_commit(kLsRemote, "mai"));
}

}  // namespace
}  // namespace stack::build
