// ADD's git sources as BuildKit's Dockerfile frontend tells them from paths and downloads, their
// fragments, and the commit a ref names in `git ls-remote` output.
#include "build/git_source.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "build/url_source.hpp"
#include "support/rootfs.hpp"

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
  s = parsed("https://host/r.git##commit=0123456789ABCDEF0123456789abcdef01234567");
  EXPECT_EQ(s.ref, "0123456789abcdef0123456789abcdef01234567");  // the commit is the ref
  EXPECT_EQ(s.commit, "0123456789abcdef0123456789abcdef01234567");
  s = parsed("https://host/r.git##commit=01234567");
  EXPECT_EQ(s.ref, "");  // a prefix is checked against HEAD's commit, never fetched (BuildKit's)
  EXPECT_EQ(s.commit, "01234567");
  auto not_hex = parse_git_source("git://h/r##commit=main");
  ASSERT_FALSE(not_hex);
  EXPECT_EQ(not_hex.error().message(), "commit 'main' in the fragment of 'git://h/r##commit=main' is no commit id (hex digits)");
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

TEST(GitSource, ARefNamesTheCommitInBuildKitsOrder) {
  EXPECT_EQ(pick_commit(kLsRemote, ""), "1111111111111111111111111111111111111111");
  EXPECT_EQ(pick_commit(kLsRemote, "main"), "2222222222222222222222222222222222222222");
  EXPECT_EQ(pick_commit(kLsRemote, "refs/heads/main"), "2222222222222222222222222222222222222222");
  EXPECT_EQ(pick_commit(kLsRemote, "heads/main"), "2222222222222222222222222222222222222222");
  // A branch before a tag of the same name (BuildKit's, as `git checkout` prefers it); the tag by
  // its full name, an annotated tag's commit, not the tag object.
  EXPECT_EQ(pick_commit(kLsRemote, "v1"), "3333333333333333333333333333333333333333");
  EXPECT_EQ(match_ref(kLsRemote, "v1")->name, "refs/heads/v1");
  EXPECT_EQ(pick_commit(kLsRemote, "refs/heads/v1"), "3333333333333333333333333333333333333333");
  EXPECT_EQ(pick_commit(kLsRemote, "refs/tags/v1"), "5555555555555555555555555555555555555555");
  EXPECT_EQ(pick_commit(kLsRemote, "tags/v1"), "4444444444444444444444444444444444444444");  // refs/tags/v1 as written
  EXPECT_EQ(pick_commit(kLsRemote, "light"), "6666666666666666666666666666666666666666");
  EXPECT_EQ(pick_commit(kLsRemote, "ABCDEFABCDEFABCDEFABCDEFABCDEFABCDEFABCD"), "abcdefabcdefabcdefabcdefabcdefabcdefabcd");
  EXPECT_FALSE(pick_commit(kLsRemote, "nope"));
  EXPECT_FALSE(pick_commit(kLsRemote, "mai"));
}

TEST(GitSource, AnAnnotatedTagNamesItsCommitAndItsTagObject) {
  auto v1 = match_ref(kLsRemote, "refs/tags/v1");
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->commit, "5555555555555555555555555555555555555555");
  EXPECT_EQ(v1->tag, "4444444444444444444444444444444444444444");
  EXPECT_EQ(v1->name, "refs/tags/v1");
  auto only_tag = match_ref("4444444444444444444444444444444444444444\trefs/tags/v1\n"
                            "5555555555555555555555555555555555555555\trefs/tags/v1^{}\n", "v1");
  ASSERT_TRUE(only_tag);  // no branch of that name: the tag
  EXPECT_EQ(only_tag->commit, "5555555555555555555555555555555555555555");
  EXPECT_EQ(only_tag->tag, "4444444444444444444444444444444444444444");
  auto light = match_ref(kLsRemote, "light");
  ASSERT_TRUE(light);
  EXPECT_EQ(light->tag, "");  // a lightweight tag is the commit itself
  EXPECT_EQ(match_ref(kLsRemote, "main")->tag, "");
}

// --checksum of a git source is BuildKit's: a commit id or a prefix of one, of the commit or of the
// annotated tag the ref names.
TEST(GitSource, ChecksumIsTheExpectedCommitOrAPrefixOfIt) {
  EXPECT_EQ(parse_git_checksum("ABCdef12").value(), "abcdef12");
  for (const char* bad : {"", "sha256:0123", "main", "12 34", "0x12"}) {
    auto r = parse_git_checksum(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().message(), "--checksum='" + std::string(bad) + "': expected a commit id (hex digits) for a git repository");
  }
  RefMatch v1{"5555555555555555555555555555555555555555", "4444444444444444444444444444444444444444"};
  EXPECT_TRUE(commit_matches(v1, "5555555555555555555555555555555555555555"));
  EXPECT_TRUE(commit_matches(v1, "5555"));
  EXPECT_TRUE(commit_matches(v1, "44444444"));  // the tag object's id
  EXPECT_FALSE(commit_matches(v1, "6666"));
  EXPECT_FALSE(commit_matches(RefMatch{"5555555555555555555555555555555555555555", ""}, "4444"));
}

TEST(GitSource, ChecksumAndTheFragmentsCommitMustAgree) {
  GitSource s = parsed("git://h/r#main");
  ASSERT_TRUE(apply_git_checksum(s, "ABCD1234"));
  EXPECT_EQ(s.commit, "abcd1234");
  EXPECT_EQ(s.ref, "main");
  s = parsed("git://h/r##ref=main,commit=abcd1234");
  EXPECT_TRUE(apply_git_checksum(s, "abcd1234"));
  auto differ = apply_git_checksum(s, "1234");
  ASSERT_FALSE(differ);
  EXPECT_EQ(differ.error().message(), "--checksum=1234 and the URL's commit=abcd1234 differ");
  EXPECT_FALSE(apply_git_checksum(s, "sha256:1234"));
}

// No server resolves an abbreviated id (BuildKit refuses one as the ref): the error says so.
TEST(GitSource, AShortCommitIdIsToldFromARef) {
  for (const char* shortid : {"abc1", "abc1234", "ABC1234", "0123456789abcdef0123456789abcdef0123456",
                              "0123456789abcdef0123456789abcdef012345678"}) {
    EXPECT_TRUE(is_short_commit_id(shortid)) << shortid;
  }
  for (const char* other : {"", "abc", "main", "v1.0", "0123456789abcdef0123456789abcdef01234567", "abc-1234",
                            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}) {
    EXPECT_FALSE(is_short_commit_id(other)) << other;
  }
  EXPECT_FALSE(pick_commit(kLsRemote, "1111111"));  // never a prefix of an advertised id
}

// A SHA-256 repository's ids are 64 hex digits: a ref, an advertised ref, a --checksum.
TEST(GitSource, ASha256RepositorysIdsAre64HexDigits) {
  const std::string c(64, 'c'), t(64, 'd');
  const std::string ls = c + "\tHEAD\n" + c + "\trefs/heads/main\n" + t + "\trefs/tags/v1\n" + c + "\trefs/tags/v1^{}\n";
  EXPECT_EQ(pick_commit(ls, ""), c);
  EXPECT_EQ(pick_commit(ls, "main"), c);
  auto v1 = match_ref(ls, "v1");
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->commit, c);
  EXPECT_EQ(v1->tag, t);
  EXPECT_EQ(pick_commit(ls, std::string(64, 'E')), std::string(64, 'e'));  // a full id names itself
  EXPECT_TRUE(is_commit_id(c));
  EXPECT_TRUE(is_commit_id(std::string(40, 'a')));
  EXPECT_FALSE(is_commit_id(std::string(63, 'a')));
  GitSource s = parsed("git://h/r##commit=" + c);
  EXPECT_EQ(s.ref, c);  // a full commit id is the ref
  EXPECT_EQ(parse_git_checksum(std::string(64, 'A')).value(), std::string(64, 'a'));
}

// BuildKit's query form: `?ref=&tag=&branch=&subdir=&checksum=&keep-git-dir=&submodules=&mtime=&fetch-by-commit`.
TEST(GitSource, TheQueryFormSaysWhatTheFragmentSays) {
  GitSource s = parsed("https://host/r.git?ref=v1&subdir=/sub&checksum=ABCD&keep-git-dir=true&submodules=false");
  EXPECT_EQ(s.remote, "https://host/r.git");  // git is given the URL without the query
  EXPECT_EQ(s.ref, "v1");
  EXPECT_EQ(s.subdir, "/sub");
  EXPECT_EQ(s.commit, "abcd");
  EXPECT_EQ(s.keep_git_dir, true);
  EXPECT_FALSE(s.submodules);
  EXPECT_FALSE(s.mtime_commit);
  s = parsed("git@host:r.git?subdir=sub#v2");
  EXPECT_EQ(s.remote, "git@host:r.git");
  EXPECT_EQ(s.ref, "v2");
  EXPECT_EQ(s.subdir, "sub");
  s = parsed("git://host/r?tag=v1");
  EXPECT_EQ(s.ref, "refs/tags/v1");
  s = parsed("git://host/r?branch=refs/heads/dev#refs/heads/dev:docs");
  EXPECT_EQ(s.ref, "refs/heads/dev");
  EXPECT_EQ(s.subdir, "docs");
  s = parsed("git://host/r?keep-git-dir&submodules&fetch-by-commit&commit=" + std::string(40, 'a') + "&mtime=commit");
  EXPECT_EQ(s.keep_git_dir, true);  // a flag alone is true
  EXPECT_TRUE(s.submodules);
  EXPECT_TRUE(s.fetch_by_commit);
  EXPECT_TRUE(s.mtime_commit);
  EXPECT_EQ(s.commit, std::string(40, 'a'));
  s = parsed("git://host/r?keep-git-dir=0&mtime=checkout&ref=a%2Fb&subdir=sub#a/b:sub/");
  EXPECT_EQ(s.keep_git_dir, false);
  EXPECT_EQ(s.ref, "a/b");
  s = parsed("git://host/r");
  EXPECT_FALSE(s.keep_git_dir.has_value());
  EXPECT_TRUE(s.submodules);
  EXPECT_TRUE(is_git_source("https://host/r.git?ref=main"));
  EXPECT_FALSE(is_git_source("https://host/r?ref=main"));  // a download: no ".git" path
}

TEST(GitSource, AQueryThatCannotBeReadOrDisagreesIsOneLineNamingIt) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"https://h/r.git?x=1", "unexpected key 'x' in the query of 'https://h/r.git?x=1' (supported keys: ref, tag, branch, "
                              "subdir, checksum, commit, keep-git-dir, submodules, mtime, fetch-by-commit)"},
      {"git://h/r?ref=v1#v2", "'ref=v1' conflicts with ref 'v2' in 'git://h/r?ref=v1#v2'"},
      {"git://h/r?ref=v1&tag=v2", "'tag=v2' conflicts with ref 'v1' in 'git://h/r?ref=v1&tag=v2'"},
      {"git://h/r?branch=b#main", "'branch=b' conflicts with ref 'main' in 'git://h/r?branch=b#main'"},
      {"git://h/r?tag=v1&branch=v1", "'tag' and 'branch' both name the ref in the query of 'git://h/r?tag=v1&branch=v1'"},
      {"git://h/r?subdir=a#:b", "'subdir=a' conflicts with subdir 'b' in 'git://h/r?subdir=a#:b'"},
      {"git://h/r?checksum=12&commit=34", "'commit=34' conflicts with commit '12' in 'git://h/r?checksum=12&commit=34'"},
      {"git://h/r?checksum=12##commit=34", "'checksum=12' conflicts with commit '34' in 'git://h/r?checksum=12##commit=34'"},
      {"git://h/r?checksum=main", "checksum 'main' is no commit id (hex digits) in the query of 'git://h/r?checksum=main'"},
      {"git://h/r?ref=", "key 'ref' has no value in the query of 'git://h/r?ref='"},
      {"git://h/r?ref=a&ref=b", "key 'ref' is given more than once in the query of 'git://h/r?ref=a&ref=b'"},
      {"git://h/r?submodules=no", "submodules='no' is not a boolean (true or false) in the query of 'git://h/r?submodules=no'"},
      {"git://h/r?mtime=now", "mtime='now': expected 'checkout' or 'commit' in the query of 'git://h/r?mtime=now'"},
  };
  for (const auto& [url, message] : cases) {
    auto r = parse_git_source(url);
    ASSERT_FALSE(r) << url;
    EXPECT_EQ(r.error().message(), message);
    EXPECT_TRUE(is_git_source(url)) << url;  // still a repository: the error is reported
  }
  GitSource s = parsed("git://h/r?checksum=abcd");
  auto differ = apply_git_checksum(s, "1234");  // ADD --checksum against the query's
  ASSERT_FALSE(differ);
  EXPECT_EQ(differ.error().message(), "--checksum=1234 and the URL's commit=abcd differ");
}

TEST(GitSource, AKeptOriginHasNoCredentials) {
  EXPECT_EQ(redact_git_url("https://user:secret@host/r.git"), "https://xxxxx:xxxxx@host/r.git");
  EXPECT_EQ(redact_git_url("HTTP://token@host:8080/r.git#main"), "HTTP://xxxxx@host:8080/r.git#main");
  EXPECT_EQ(redact_git_url("https://host/r.git?a=b@c"), "https://host/r.git?a=b@c");
  for (const char* same : {"https://host/r.git", "git://host/r.git", "ssh://git@host/r.git", "git@host:r.git"}) {
    EXPECT_EQ(redact_git_url(same), same);
  }
}

TEST(GitSource, ASubmoduleFailureIsOneLineNamingTheSubmodule) {
  EXPECT_EQ(submodule_failure("fatal: transport 'file' not allowed\n"
                              "fatal: clone of 'file:///srv/leaf.git' into submodule path '/b/git/lib/leaf' failed\n"
                              "Failed to clone 'lib/leaf'. Retry scheduled\n"
                              "fatal: transport 'file' not allowed\n",
                              "/b/git"),
            "submodule 'lib/leaf' (file:///srv/leaf.git): fatal: transport 'file' not allowed");
  EXPECT_EQ(submodule_failure("fatal: unable to connect to 127.0.0.1:\n127.0.0.1[0: 127.0.0.1]: errno=Connection refused\n\n"
                              "fatal: clone of 'git://127.0.0.1:1/lib.git' into submodule path '/b/git/lib' failed\n",
                              "/b/git"),
            "submodule 'lib' (git://127.0.0.1:1/lib.git): fatal: unable to connect to 127.0.0.1: 127.0.0.1[0: 127.0.0.1]: "
            "errno=Connection refused");
  EXPECT_EQ(submodule_failure("fatal: No url found for submodule path 'x' in .gitmodules\n", "/b/git"),
            "submodule 'x': fatal: No url found for submodule path 'x' in .gitmodules");
  EXPECT_EQ(submodule_failure("error: one\nerror: the last\n", "/b/git"), "error: the last");
  EXPECT_EQ(submodule_failure("", "/b/git"), "git failed");
}

TEST(GitSource, TheSubmodulesGitFilesGoWithoutFollowingALink) {
  namespace fs = std::filesystem;
  test::TempDir dir("stack-git-files");
  fs::create_directories(dir / "top/.git/modules/lib");
  fs::create_directories(dir / "top/lib/deep");
  fs::create_directories(dir / "outside/.git");
  std::ofstream(dir / "top/lib/.git") << "gitdir: ../.git/modules/lib\n";
  fs::create_directories(dir / "top/lib/deep/.git");
  std::ofstream(dir / "top/lib/file") << "kept\n";
  fs::create_symlink(dir / "outside", dir / "top/link");
  ASSERT_TRUE(remove_submodule_git_files(dir / "top"));
  EXPECT_TRUE(fs::exists(dir / "top/.git/modules/lib"));  // the top .git is checkout_git's to keep or remove
  EXPECT_FALSE(fs::exists(dir / "top/lib/.git"));
  EXPECT_FALSE(fs::exists(dir / "top/lib/deep/.git"));
  EXPECT_TRUE(fs::exists(dir / "top/lib/file"));
  EXPECT_TRUE(fs::exists(dir / "outside/.git"));  // not through the link
}

}  // namespace
}  // namespace stack::build
