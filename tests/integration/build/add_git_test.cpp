// ADD of git repositories through the real binary, from a repository the test makes and serves
// with `git daemon` on 127.0.0.1 only (started by the test, stopped by its pid).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "build_fixture.hpp"
#include "loopback_server.hpp"

namespace stack::build {
namespace {

namespace fs = std::filesystem;

class AddGitTest : public BuildTest {
 protected:
  void SetUp() override {
    BuildTest::SetUp();
    // main: a.txt (executable) and sub/deep/b.txt, tagged v1 (light) and v1a (annotated); then a
    // second commit on main changes a.txt.
    ASSERT_EQ(git_sh("git init -q -b main " + work_ + " && cd " + work_ + " && mkdir -p sub/deep && echo one > a.txt && "
                     "chmod +x a.txt && echo inner > sub/deep/b.txt && git add . && " + commit_ + " -qm one && "
                     "git tag v1 && " + git_ + " tag -a v1a -m annotated && echo two > a.txt && " + commit_ + " -qam two && "
                     "git clone -q --bare . " + served_ + "/repo.git"), 0);
    for (int attempt = 0; attempt < 5 && pid_ == 0; ++attempt) start_daemon();
    ASSERT_GT(pid_, 0) << "git daemon did not start on 127.0.0.1";
  }

  void TearDown() override {
    stop_daemon();
    BuildTest::TearDown();
  }

  int git_sh(const std::string& cmd) const { return std::system(("(" + cmd + ") >/dev/null 2>&1").c_str()); }

  void start_daemon() {
    port_ = free_loopback_port();
    // Its upload-pack children report a client that hung up after ls-remote: not the test's output.
    pid_ = spawn_loopback_server({"git", "daemon", "--base-path=" + served_, "--export-all", "--reuseaddr",
                                  "--listen=127.0.0.1", "--port=" + std::to_string(port_), served_},
                                 port_, true);
  }

  void stop_daemon() { stop_loopback_server(pid_); }

  std::string repo(const std::string& fragment = "") const {
    return "git://127.0.0.1:" + std::to_string(port_) + "/repo.git" + fragment;
  }

  // A repository named name, made in work_/name by script (run inside it, then committed) and
  // served as served_/name.git.
  int serve_repo(const std::string& name, const std::string& script) const {
    std::string dir = work_ + "-" + name;
    return git_sh("git init -q -b main " + dir + " && cd " + dir + " && " + script + " && git add -A && " + commit_ +
                  " -qm " + name + " && git clone -q --bare . " + served_ + "/" + name + ".git");
  }

  std::string rev(const std::string& rev) const { return sh("git -C " + served_ + "/repo.git rev-parse " + rev).substr(0, 40); }

  void fails(const std::string& dockerfile, const std::string& expected) {
    write("Dockerfile", dockerfile);
    Outcome r = build_epoch("-t bld-git:bad");
    EXPECT_EQ(r.code, 1) << r.err;
    std::string last = r.err.substr(r.err.rfind("stack: "));
    EXPECT_EQ(last, expected) << r.err;
    EXPECT_FALSE(find("bld-git:bad").has_value());
  }

  Outcome build_epoch(const std::string& args) const {
    return stack("image build --progress plain " + args + " " + context(), "SOURCE_DATE_EPOCH=1000000");
  }

  std::string work_ = root_ / "work";
  std::string served_ = root_ / "served";
  // Whatever the machine's git config says about identity and signing.
  std::string git_ = "git -c user.name=t -c user.email=t@example.invalid -c commit.gpgSign=false -c tag.gpgSign=false";
  std::string commit_ = git_ + " commit";
  int port_ = 0;
  pid_t pid_ = 0;
};

TEST_F(AddGitTest, RefSubdirAndKeepGitDirLandAsBuildKitPutsThem) {
  write("Dockerfile",
        "FROM busybox\n"
        "ADD " + repo() + " /src\n"
        "ADD " + repo("#v1:sub") + " /k/\n"
        "ADD " + repo("##ref=v1a,subdir=sub/deep") + " /deep\n"
        "ADD --keep-git-dir=true " + repo("#main") + " /g\n");
  built_id(build_epoch("-t bld-git:1"));
  RootfsView v = view("bld-git:1");
  EXPECT_EQ(read_view(v, "src/a.txt"), "two\n");  // HEAD: main's last commit
  EXPECT_EQ(read_view(v, "src/sub/deep/b.txt"), "inner\n");
  EXPECT_FALSE(v.lookup("src/.git").has_value());
  auto a = v.lookup("src/a.txt");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->st.st_mode, S_IFREG | 0755);
  EXPECT_EQ(a->st.st_uid, 0u);
  EXPECT_EQ(a->st.st_mtime, 1000000);  // clamped to SOURCE_DATE_EPOCH as every layer's times
  EXPECT_EQ(read_view(v, "k/deep/b.txt"), "inner\n");  // the subdirectory's contents, of tag v1
  EXPECT_FALSE(v.lookup("k/a.txt").has_value());
  EXPECT_EQ(read_view(v, "deep/b.txt"), "inner\n");  // an annotated tag names its commit
  EXPECT_EQ(read_view(v, "g/a.txt"), "two\n");
  EXPECT_TRUE(v.lookup("g/.git/HEAD").has_value());  // --keep-git-dir
  std::string head = read_view(v, "g/.git/HEAD");
  EXPECT_EQ(head, sh("git -C " + served_ + "/repo.git rev-parse main"));  // the commit, detached
}

TEST_F(AddGitTest, AnUnchangedRefIsACacheHitAndANewCommitRerunsItsStep) {
  write("Dockerfile",
        "FROM busybox\n"
        "ADD " + repo("#v1") + " /tag\n"
        "ADD " + repo("#main") + " /main\n");
  std::string first = built_id(build_epoch("-t bld-git:2"));
  Outcome again = build_epoch("-t bld-git:2");
  EXPECT_EQ(built_id(again), first);
  EXPECT_NE(again.err.find("3 steps, 2 cached, 0 run"), std::string::npos) << again.err;
  // A new commit on main: its step runs again, the tag's stays cached.
  ASSERT_EQ(git_sh("cd " + work_ + " && echo three > a.txt && " + commit_ + " -qam three && git push -q " + served_ +
                   "/repo.git main"), 0);
  Outcome moved = build_epoch("-t bld-git:2");
  EXPECT_NE(built_id(moved), first);
  EXPECT_NE(moved.err.find("3 steps, 1 cached, 1 run"), std::string::npos) << moved.err;
  EXPECT_EQ(read_view(view("bld-git:2"), "main/a.txt"), "three\n");
}

TEST_F(AddGitTest, ErrorsAreOneLineNamingTheRepositoryAndTagNothing) {
  fails("FROM busybox\nADD " + repo("#nope") + " /x\n",
        "stack: Dockerfile:2:1: ADD: git ls-remote " + repo() + ": no ref 'nope'\n");
  fails("FROM busybox\nADD " + repo("#main:missing") + " /x\n",
        "stack: Dockerfile:2:1: ADD: subdirectory 'missing' is not a directory of " + repo() + " at " +
            rev("main") + "\n");
  fails("FROM busybox\nCOPY " + repo() + " /x\n",
        "stack: Dockerfile:2:1: COPY: a git repository ('" + repo() + "') is not a source for COPY: use ADD\n");
  fails("FROM busybox\nADD --keep-git-dir Dockerfile /x\n",
        "stack: Dockerfile:2:1: ADD --keep-git-dir needs a git repository as the source\n");
  fails("FROM busybox\nADD " + repo("##tag=v1") + " /x\n",
        "stack: Dockerfile:2:1: ADD: unexpected key 'tag' in the fragment of '" + repo("##tag=v1") +
            "' (supported keys: ref, commit, subdir)\n");
  std::string gone = repo();
  stop_daemon();
  write("Dockerfile", "FROM busybox\nADD " + gone + " /x\n");
  Outcome r = build_epoch("-t bld-git:bad");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("stack: Dockerfile:2:1: ADD: git ls-remote " + gone + ": fatal: unable to connect to 127.0.0.1"),
            std::string::npos) << r.err;
  std::string last = r.err.substr(r.err.rfind("stack: "));
  EXPECT_EQ(std::count(last.begin(), last.end(), '\n'), 1) << r.err;  // one line
}

// --checksum of a git source is the commit its ref must name (BuildKit's): a full id or a prefix, of
// the commit or of an annotated tag's object; it changes no cache key.
TEST_F(AddGitTest, ChecksumIsTheCommitTheRefMustName) {
  const std::string main = rev("main"), v1 = rev("v1"), tag = rev("v1a");
  write("Dockerfile", "FROM busybox\nADD " + repo("#main") + " /m\n");
  built_id(build_epoch("-t bld-git:sum"));
  write("Dockerfile", "FROM busybox\nADD --checksum=" + main + " " + repo("#main") + " /m\n");
  Outcome checked = build_epoch("-t bld-git:sum");  // the step cached (its history line differs)
  EXPECT_NE(checked.err.find("2 steps, 1 cached, 0 run"), std::string::npos) << checked.err;
  EXPECT_EQ(read_view(view("bld-git:sum"), "m/a.txt"), "two\n");
  std::string upper = v1.substr(0, 12);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  write("Dockerfile",
        "FROM busybox\n"
        "ARG SUM=" + v1.substr(0, 8) + "\n"
        "ADD --checksum=$SUM " + repo("#v1") + " /a\n"
        "ADD --checksum=" + tag.substr(0, 10) + " " + repo("#v1a") + " /b\n"
        "ADD --checksum=" + upper + " " + repo("##ref=v1a,commit=" + v1.substr(0, 12)) + " /c\n"
        "ADD --checksum=" + main + " " + repo("#" + main) + " /d\n"
        "ADD " + repo("##commit=" + main.substr(0, 7)) + " /e\n"
        "ARG REPO=" + repo() + "\n"
        "ADD --checksum=" + v1 + " ${REPO}#v1 /f\n");
  built_id(build_epoch("-t bld-git:sum2"));
  RootfsView v = view("bld-git:sum2");
  for (const char* at : {"a", "b", "c", "f"}) EXPECT_EQ(read_view(v, std::string(at) + "/a.txt"), "one\n") << at;
  EXPECT_EQ(read_view(v, "d/a.txt"), "two\n");
  EXPECT_EQ(read_view(v, "e/a.txt"), "two\n");  // a short commit= is checked against HEAD
}

TEST_F(AddGitTest, AChecksumOrShortIdThatNamesNoRefIsOneLineError) {
  const std::string main = rev("main"), v1 = rev("v1"), tag = rev("v1a");
  fails("FROM busybox\nADD --checksum=" + v1 + " " + repo("#main") + " /x\n",
        "stack: Dockerfile:2:1: ADD: " + repo() + ": ref 'main' is commit " + main + ", expected " + v1 + "\n");
  fails("FROM busybox\nADD --checksum=" + main.substr(0, 9) + " " + repo("#v1a") + " /x\n",
        "stack: Dockerfile:2:1: ADD: " + repo() + ": ref 'v1a' is commit " + v1 + " (tag " + tag + "), expected " +
            main.substr(0, 9) + "\n");
  fails("FROM busybox\nADD --checksum=" + v1 + " " + repo("#" + main) + " /x\n",
        "stack: Dockerfile:2:1: ADD: " + repo() + ": ref '" + main + "' is commit " + main + ", expected " + v1 + "\n");
  fails("FROM busybox\nADD " + repo("##commit=" + v1.substr(0, 10)) + " /x\n",
        "stack: Dockerfile:2:1: ADD: " + repo() + ": ref 'HEAD' is commit " + main + ", expected " + v1.substr(0, 10) + "\n");
  fails("FROM busybox\nADD --checksum=foobar " + repo("#main") + " /x\n",
        "stack: Dockerfile:2:1: ADD: --checksum='foobar': expected a commit id (hex digits) for a git repository\n");
  const std::string sha256 = "sha256:" + std::string(64, 'a');
  fails("FROM busybox\nADD --checksum=" + sha256 + " " + repo() + " /x\n",
        "stack: Dockerfile:2:1: ADD: --checksum='" + sha256 + "': expected a commit id (hex digits) for a git repository\n");
  fails("FROM busybox\nARG S=xyz\nADD --checksum=$S " + repo() + " /x\n",
        "stack: Dockerfile:3:1: ADD: --checksum='xyz': expected a commit id (hex digits) for a git repository\n");
  fails("FROM busybox\nADD --checksum=" + v1 + " " + repo("##ref=v1,commit=" + main) + " /x\n",
        "stack: Dockerfile:2:1: ADD: --checksum=" + v1 + " and the URL's commit=" + main + " differ\n");
  // A short commit id as the ref: no server resolves one (BuildKit refuses it too).
  const std::string short_id = main.substr(0, 7);
  fails("FROM busybox\nADD " + repo("#" + short_id) + " /x\n",
        "stack: Dockerfile:2:1: ADD: git ls-remote " + repo() + ": no ref '" + short_id +
            "' (a short commit id is no ref: give the full commit id, or the branch or tag and --checksum=" + short_id + ")\n");
}

// Submodules are checked out (recursively, shallow) at the commits the repository's commit pins,
// through the same git (git daemon on 127.0.0.1 serves them all): an absolute URL, a relative one
// (against the superproject's), a nested one.
TEST_F(AddGitTest, SubmodulesAreCheckedOutAtTheCommitsTheRepositoryPins) {
  const std::string base = "git://127.0.0.1:" + std::to_string(port_) + "/";
  ASSERT_EQ(serve_repo("leaf", "echo leaf > leaf.txt"), 0);
  ASSERT_EQ(serve_repo("lib", "git remote add origin " + base + "lib.git && echo lib > lib.txt && git submodule add -q ../leaf.git deep"), 0);
  ASSERT_EQ(serve_repo("super", "echo top > top.txt && git submodule add -q " + base + "lib.git lib"), 0);
  const std::string super = base + "super.git";
  write("Dockerfile",
        "FROM busybox\n"
        "ADD " + super + " /s\n"
        "ADD --keep-git-dir " + super + " /g\n"
        "ADD " + super + "#main:lib /l\n");
  std::string first = built_id(build_epoch("-t bld-git:mod"));
  RootfsView v = view("bld-git:mod");
  EXPECT_EQ(read_view(v, "s/top.txt"), "top\n");
  EXPECT_EQ(read_view(v, "s/lib/lib.txt"), "lib\n");
  EXPECT_EQ(read_view(v, "s/lib/deep/leaf.txt"), "leaf\n");
  for (const char* git : {"s/.git", "s/lib/.git", "s/lib/deep/.git", "l/.git", "l/deep/.git"}) {
    EXPECT_FALSE(v.lookup(git).has_value()) << git;
  }
  EXPECT_EQ(read_view(v, "l/lib.txt"), "lib\n");
  EXPECT_EQ(read_view(v, "l/deep/leaf.txt"), "leaf\n");
  // --keep-git-dir: each submodule's .git names its repository inside the kept .git.
  EXPECT_EQ(read_view(v, "g/lib/.git"), "gitdir: ../.git/modules/lib\n");
  EXPECT_EQ(read_view(v, "g/lib/deep/.git"), "gitdir: ../../.git/modules/lib/modules/deep\n");
  EXPECT_TRUE(v.lookup("g/.git/modules/lib/modules/deep/HEAD").has_value());
  EXPECT_NE(read_view(v, "g/.git/config").find("url = " + super), std::string::npos);
  // New commits in the submodules' repositories, none in the superproject: its commit pins the
  // submodules' commits, so the key is unchanged and a new checkout still gets the pinned ones.
  ASSERT_EQ(git_sh("cd " + work_ + "-lib && echo lib2 > lib.txt && " + commit_ + " -qam lib2 && git push -q " + served_ + "/lib.git main"), 0);
  Outcome again = build_epoch("-t bld-git:mod");
  EXPECT_EQ(built_id(again), first);
  EXPECT_NE(again.err.find("4 steps, 3 cached, 0 run"), std::string::npos) << again.err;
  write("Dockerfile", "FROM busybox\nADD " + super + " /t\n");
  built_id(build_epoch("-t bld-git:mod2"));
  EXPECT_EQ(read_view(view("bld-git:mod2"), "t/lib/lib.txt"), "lib\n");
}

// A submodule URL that names the host's files (file://, a path) is refused as the main fetch's is.
TEST_F(AddGitTest, ASubmoduleOfTheHostsFilesIsRefused) {
  ASSERT_EQ(serve_repo("leaf", "echo leaf > leaf.txt"), 0);
  const std::string leaf = served_ + "/leaf.git";
  for (const std::string& url : {"file://" + leaf, leaf}) {
    ASSERT_EQ(git_sh("rm -rf " + work_ + "-bad " + served_ + "/bad.git"), 0);
    ASSERT_EQ(serve_repo("bad", "echo top > top.txt && git -c protocol.file.allow=always submodule add -q " + url + " leaf"), 0);
    std::string bad = "git://127.0.0.1:" + std::to_string(port_) + "/bad.git";
    fails("FROM busybox\nADD " + bad + " /x\n",
          "stack: Dockerfile:2:1: ADD: git submodule update " + bad + ": submodule 'leaf' (" + url +
              "): fatal: transport 'file' not allowed\n");
  }
}

// A repository as the build context (`docker build URL#REF:SUBDIR`, compose's build.context): its
// subdirectory is the context, the Dockerfile and .dockerignore are the repository's, a relative -f
// (compose's dockerfile) is inside it.
TEST_F(AddGitTest, AGitRepositoryIsTheBuildContext) {
  std::string ctx = root_ / "ctxwork";
  ASSERT_EQ(git_sh("git init -q -b main " + ctx + " && cd " + ctx + " && mkdir -p app && "
                   "printf 'FROM busybox\\nCOPY . /ctx\\n' > app/Dockerfile && "
                   "printf 'FROM busybox\\nCOPY page.txt /other.txt\\n' > app/other.Dockerfile && "
                   "echo page > app/page.txt && echo secret > app/skip.txt && echo skip.txt > app/.dockerignore && "
                   "git add . && " + commit_ + " -qm ctx && git clone -q --bare . " + served_ + "/ctx.git"), 0);
  std::string url = "git://127.0.0.1:" + std::to_string(port_) + "/ctx.git#main:app";
  Outcome built = stack("image build --progress plain -t bld-gitctx:1 " + url);
  ASSERT_EQ(built.code, 0) << built.err;
  RootfsView v = view("bld-gitctx:1");
  EXPECT_EQ(read_view(v, "ctx/page.txt"), "page\n");
  EXPECT_FALSE(v.lookup("ctx/skip.txt").has_value()) << "the repository's .dockerignore applies";
  EXPECT_FALSE(v.lookup("ctx/.git").has_value());
  Outcome other = stack("image build --progress plain -t bld-gitctx:2 -f other.Dockerfile " + url);
  ASSERT_EQ(other.code, 0) << other.err;
  EXPECT_EQ(read_view(view("bld-gitctx:2"), "other.txt"), "page\n");
  // Compose: build.context with the repository, dockerfile inside it.
  write("compose.yaml", "services:\n  web:\n    image: bld-gitctx:4\n    build:\n      context: " + url +
                            "\n      dockerfile: other.Dockerfile\n");
  Outcome composed = stack("-p gitctx -f " + context() + "/compose.yaml build web");
  ASSERT_EQ(composed.code, 0) << composed.err;
  EXPECT_EQ(read_view(view("bld-gitctx:4"), "other.txt"), "page\n");
  Outcome missing = stack("image build -t bld-gitctx:3 git://127.0.0.1:" + std::to_string(port_) + "/ctx.git#main:nope");
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("build context 'git://"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("subdirectory 'nope'"), std::string::npos) << missing.err;
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;
}

// A repository as a named context (`--build-context NAME=URL`, compose's additional_contexts):
// checked out when the build starts, then used as a local directory is (COPY --from, FROM).
TEST_F(AddGitTest, AGitRepositoryIsANamedContext) {
  write("Dockerfile",
        "FROM docs AS pages\n"
        "FROM busybox\n"
        "COPY --from=docs deep/b.txt /from-copy.txt\n"
        "COPY --from=pages deep /from-stage\n");
  Outcome built = build_epoch("-t bld-gitnamed:1 --build-context docs=" + repo("#v1:sub"));
  ASSERT_EQ(built.code, 0) << built.err;
  RootfsView v = view("bld-gitnamed:1");
  EXPECT_EQ(read_view(v, "from-copy.txt"), "inner\n");
  EXPECT_EQ(read_view(v, "from-stage/b.txt"), "inner\n");
  // The same repository, unchanged: every step cached.
  Outcome again = build_epoch("-t bld-gitnamed:1 --build-context docs=" + repo("#v1:sub"));
  EXPECT_EQ(built_id(again), built_id(built));
  EXPECT_NE(again.err.find("0 run"), std::string::npos) << again.err;
  // Compose: additional_contexts with the repository, kept as written.
  write("compose.yaml", "services:\n  web:\n    image: bld-gitnamed:2\n    build:\n      context: .\n"
                        "      additional_contexts:\n        docs: " + repo("#main") + "\n");
  write("Dockerfile", "FROM busybox\nCOPY --from=docs a.txt /a.txt\n");
  Outcome composed = stack("-p gitnamed -f " + context() + "/compose.yaml build web");
  ASSERT_EQ(composed.code, 0) << composed.err;
  EXPECT_EQ(read_view(view("bld-gitnamed:2"), "a.txt"), "two\n");
  // A ref the remote does not have: one line naming the context, nothing tagged.
  Outcome missing = build_epoch("-t bld-gitnamed:3 --build-context docs=" + repo("#nope"));
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "stack: build context 'docs' ('" + repo("#nope") + "'): git ls-remote " + repo() +
                             ": no ref 'nope'\n");
  EXPECT_FALSE(find("bld-gitnamed:3").has_value());
}

// BuildKit's query form: ref (or tag, branch), subdir, checksum, keep-git-dir in the URL's query,
// as ADD's source and as a named context; what the query and the fragment or the flags both say
// must agree, and a key it does not know is one line naming it.
TEST_F(AddGitTest, TheQueryFormNamesRefSubdirChecksumAndKeepGitDir) {
  const std::string v1 = rev("v1");
  write("Dockerfile",
        "FROM busybox\n"
        "ADD " + repo("?ref=v1&subdir=sub") + " /q\n"
        "ADD " + repo("?tag=v1a&subdir=sub/deep&checksum=" + v1.substr(0, 10)) + " /t\n"
        "ADD " + repo("?subdir=/sub/deep#main") + " /f\n"
        "ADD " + repo("?keep-git-dir=true&branch=main") + " /g\n"
        "ADD --keep-git-dir=true " + repo("?keep-git-dir&checksum=" + rev("main")) + " /h\n");
  built_id(build_epoch("-t bld-git:query"));
  RootfsView v = view("bld-git:query");
  EXPECT_EQ(read_view(v, "q/deep/b.txt"), "inner\n");
  EXPECT_FALSE(v.lookup("q/a.txt").has_value());
  EXPECT_EQ(read_view(v, "t/b.txt"), "inner\n");
  EXPECT_EQ(read_view(v, "f/b.txt"), "inner\n");
  EXPECT_EQ(read_view(v, "g/a.txt"), "two\n");
  EXPECT_EQ(read_view(v, "g/.git/HEAD"), rev("main") + "\n");
  EXPECT_TRUE(v.lookup("h/.git/HEAD").has_value());
  // A named context (single quotes: '&' is the shell's).
  write("Dockerfile", "FROM busybox\nCOPY --from=docs deep/b.txt /b.txt\n");
  Outcome named = build_epoch("-t bld-git:qnamed --build-context 'docs=" + repo("?ref=v1&subdir=sub") + "'");
  ASSERT_EQ(named.code, 0) << named.err;
  EXPECT_EQ(read_view(view("bld-git:qnamed"), "b.txt"), "inner\n");
  write("Dockerfile", "FROM busybox\nCOPY --from=docs .git/HEAD /head\n");  // keep-git-dir in a context too
  Outcome kept = build_epoch("-t bld-git:qkept --build-context 'docs=" + repo("?keep-git-dir=1&tag=v1") + "'");
  ASSERT_EQ(kept.code, 0) << kept.err;
  EXPECT_EQ(read_view(view("bld-git:qkept"), "head"), v1 + "\n");
  Outcome bad_named = build_epoch("-t bld-git:bad --build-context 'docs=" + repo("?ref=v1#main") + "'");
  EXPECT_EQ(bad_named.code, 2);  // a flag that cannot be read, as every one
  EXPECT_EQ(bad_named.err, "stack: image build: --build-context 'docs=" + repo("?ref=v1#main") + "': 'ref=v1' conflicts with ref "
                           "'main' in '" + repo("?ref=v1#main") + "'\n");
  fails("FROM busybox\nADD " + repo("?ref=v1&depth=1") + " /x\n",
        "stack: Dockerfile:2:1: ADD: unexpected key 'depth' in the query of '" + repo("?ref=v1&depth=1") +
            "' (supported keys: ref, tag, branch, subdir, checksum, commit, keep-git-dir, submodules, mtime, fetch-by-commit)\n");
  fails("FROM busybox\nADD " + repo("?tag=v1#main") + " /x\n",
        "stack: Dockerfile:2:1: ADD: 'tag=v1' conflicts with ref 'main' in '" + repo("?tag=v1#main") + "'\n");
  fails("FROM busybox\nADD --keep-git-dir=false " + repo("?keep-git-dir=true") + " /x\n",
        "stack: Dockerfile:2:1: ADD: --keep-git-dir=false and the keep-git-dir=true of '" + repo() + "' differ\n");
  fails("FROM busybox\nADD --checksum=" + v1 + " " + repo("?checksum=" + rev("main")) + " /x\n",
        "stack: Dockerfile:2:1: ADD: --checksum=" + v1 + " and the URL's commit=" + rev("main") + " differ\n");
  fails("FROM busybox\nADD " + repo("?branch=v1") + " /x\n",
        "stack: Dockerfile:2:1: ADD: git ls-remote " + repo() + ": no ref 'refs/heads/v1'\n");
}

// A branch and a tag of the same name: the bare name is the branch (BuildKit's order, as `git
// checkout` prefers it); `?tag=` (or refs/tags/NAME) is the tag.
TEST_F(AddGitTest, ABareNameIsTheBranchWhenATagHasItToo) {
  // v1 (tag) is the first commit; a branch v1 at main's second one, where a.txt is "two".
  ASSERT_EQ(git_sh("git -C " + served_ + "/repo.git branch v1 main && git -C " + served_ + "/repo.git branch v1a main"), 0);
  write("Dockerfile",
        "FROM busybox\n"
        "ADD " + repo("#v1") + " /bare\n"
        "ADD " + repo("?tag=v1") + " /tag\n"
        "ADD " + repo("#refs/tags/v1") + " /full\n"
        "ADD " + repo("?branch=v1") + " /branch\n"
        "ADD " + repo("#v1a") + " /annotated\n"
        "ADD " + repo("?tag=v1a") + " /annotated-tag\n");
  built_id(build_epoch("-t bld-git:both"));
  RootfsView v = view("bld-git:both");
  EXPECT_EQ(read_view(v, "bare/a.txt"), "two\n");
  EXPECT_EQ(read_view(v, "tag/a.txt"), "one\n");
  EXPECT_EQ(read_view(v, "full/a.txt"), "one\n");
  EXPECT_EQ(read_view(v, "branch/a.txt"), "two\n");
  EXPECT_EQ(read_view(v, "annotated/a.txt"), "two\n");
  EXPECT_EQ(read_view(v, "annotated-tag/a.txt"), "one\n");
  // --checksum of the bare name is checked against the branch's commit.
  fails("FROM busybox\nADD --checksum=" + rev("refs/tags/v1^{commit}") + " " + repo("#v1") + " /x\n",
        "stack: Dockerfile:2:1: ADD: " + repo() + ": ref 'v1' is commit " + rev("main") + ", expected " +
            rev("refs/tags/v1^{commit}") + "\n");
}

// `?submodules=false`: the submodules' directories stay empty, nothing is fetched for them (their
// server is not even asked: a submodule URL that cannot be reached does not matter), and the step's
// key differs from the one with them.
TEST_F(AddGitTest, SubmodulesFalseSkipsTheSubmodules) {
  const std::string base = "git://127.0.0.1:" + std::to_string(port_) + "/";
  ASSERT_EQ(serve_repo("lib", "echo lib > lib.txt"), 0);
  ASSERT_EQ(serve_repo("super", "echo top > top.txt && git submodule add -q " + base + "lib.git lib"), 0);
  write("Dockerfile",
        "FROM busybox\n"
        "ADD " + base + "super.git?submodules=false /n\n"
        "ADD " + base + "super.git /s\n");
  built_id(build_epoch("-t bld-git:nosub"));
  RootfsView v = view("bld-git:nosub");
  EXPECT_EQ(read_view(v, "n/top.txt"), "top\n");
  EXPECT_TRUE(v.lookup("n/lib").has_value());
  EXPECT_FALSE(v.lookup("n/lib/lib.txt").has_value());
  EXPECT_EQ(read_view(v, "s/lib/lib.txt"), "lib\n");
  ASSERT_EQ(git_sh("rm -rf " + served_ + "/lib.git"), 0);  // now no submodule can be fetched
  write("Dockerfile", "FROM busybox\nADD " + base + "super.git?submodules=0 /m\n");
  built_id(build_epoch("-t bld-git:nosub2"));
  EXPECT_FALSE(view("bld-git:nosub2").lookup("m/lib/lib.txt").has_value());
}

// `?mtime=commit`: every file's time is the commit's (its committer date), as BuildKit sets it;
// `?fetch-by-commit`: the checksum is the commit, fetched without asking the server for refs.
TEST_F(AddGitTest, MtimeCommitAndFetchByCommit) {
  ASSERT_EQ(serve_repo("old", "export GIT_COMMITTER_DATE='@500000 +0000' && mkdir d && echo old > d/f.txt && ln -s nowhere d/dangling"), 0);
  // serve_repo commits after the script in the same shell: the date holds for that commit.
  const std::string old = "git://127.0.0.1:" + std::to_string(port_) + "/old.git";
  const std::string main = rev("main"), v1 = rev("v1");
  write("Dockerfile",
        "FROM busybox\n"
        "ADD " + old + "?mtime=commit /t\n"
        "ADD " + old + " /c\n"
        "ADD " + repo("?fetch-by-commit&checksum=" + v1) + " /v\n");
  built_id(build_epoch("-t bld-git:mtime"));
  RootfsView v = view("bld-git:mtime");
  for (const char* path : {"t/d/f.txt", "t/d", "t/d/dangling"}) {
    auto e = v.lookup(path);
    ASSERT_TRUE(e) << path;
    EXPECT_EQ(e->st.st_mtime, 500000) << path;
  }
  auto checkout = v.lookup("c/d/f.txt");
  ASSERT_TRUE(checkout);
  EXPECT_EQ(checkout->st.st_mtime, 1000000);  // the checkout's time, clamped to SOURCE_DATE_EPOCH
  EXPECT_EQ(read_view(v, "v/a.txt"), "one\n");
  fails("FROM busybox\nADD " + repo("?fetch-by-commit&checksum=" + main.substr(0, 8)) + " /x\n",
        "stack: Dockerfile:2:1: ADD: " + repo() + ": fetch-by-commit needs the full commit id as the checksum (not '" +
            main.substr(0, 8) + "')\n");
}

// A SHA-256 repository (`git init --object-format=sha256`): 64-digit commit ids as the ref, the
// --checksum and in ls-remote's answer; the checkout is made in a repository of that format.
TEST_F(AddGitTest, ASha256RepositoryIsCheckedOut) {
  const std::string dir = work_ + "-sha256";
  ASSERT_EQ(git_sh("git init -q --object-format=sha256 -b main " + dir + " && cd " + dir + " && mkdir sub && echo one > sub/a.txt && "
                   "git add -A && " + commit_ + " -qm one && " + git_ + " tag -a v1 -m v1 && echo two > sub/a.txt && " +
                   commit_ + " -qam two && git clone -q --bare . " + served_ + "/sha.git"), 0);
  const std::string url = "git://127.0.0.1:" + std::to_string(port_) + "/sha.git";
  const std::string main = sh("git -C " + served_ + "/sha.git rev-parse main").substr(0, 64);
  const std::string one = sh("git -C " + served_ + "/sha.git rev-parse v1^{commit}").substr(0, 64);
  ASSERT_EQ(main.find_first_not_of("0123456789abcdef"), std::string::npos) << main;
  ASSERT_EQ(main.size(), 64u);
  write("Dockerfile",
        "FROM busybox\n"
        "ADD " + url + " /head\n"
        "ADD --checksum=" + one + " " + url + "#v1:sub /tag\n"
        "ADD " + url + "#" + one + " /id\n"
        "ADD --keep-git-dir " + url + "?checksum=" + main.substr(0, 12) + " /g\n");
  built_id(build_epoch("-t bld-git:sha256"));
  RootfsView v = view("bld-git:sha256");
  EXPECT_EQ(read_view(v, "head/sub/a.txt"), "two\n");
  EXPECT_EQ(read_view(v, "tag/a.txt"), "one\n");
  EXPECT_EQ(read_view(v, "id/sub/a.txt"), "one\n");
  EXPECT_EQ(read_view(v, "g/.git/HEAD"), main + "\n");
  fails("FROM busybox\nADD --checksum=" + one + " " + url + " /x\n",
        "stack: Dockerfile:2:1: ADD: " + url + ": ref 'HEAD' is commit " + main + ", expected " + one + "\n");
}

}  // namespace
}  // namespace stack::build
