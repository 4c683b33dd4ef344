// ADD of git repositories through the real binary, from a repository the test makes and serves
// with `git daemon` on 127.0.0.1 only (started by the test, stopped by its pid).
#include <gtest/gtest.h>

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
  auto fails = [&](const std::string& dockerfile, const std::string& expected) {
    write("Dockerfile", dockerfile);
    Outcome r = build_epoch("-t bld-git:bad");
    EXPECT_EQ(r.code, 1) << r.err;
    std::string last = r.err.substr(r.err.rfind("stack: "));
    EXPECT_EQ(last, expected) << r.err;
    EXPECT_FALSE(find("bld-git:bad").has_value());
  };
  fails("FROM busybox\nADD " + repo("#nope") + " /x\n",
        "stack: Dockerfile:2:1: ADD: git ls-remote " + repo() + ": no ref 'nope'\n");
  fails("FROM busybox\nADD " + repo("#main:missing") + " /x\n",
        "stack: Dockerfile:2:1: ADD: subdirectory 'missing' is not a directory of " + repo() + " at " +
            sh("git -C " + served_ + "/repo.git rev-parse main").substr(0, 40) + "\n");
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

}  // namespace
}  // namespace stack::build
