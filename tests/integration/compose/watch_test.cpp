// `stack watch` through the real binary, as root: started in the background on a service with
// sync, sync+restart, sync+exec and rebuild rules, then files changed on the host and what the
// container sees checked with `stack exec`: a written file appears, an ignored one does not, a
// removed one goes, a symlink in the container keeps a write inside it, sync+restart restarts the
// container, sync+exec runs its command, rebuild makes a new image and container; SIGTERM ends
// watch with exit 0, and `down` leaves nothing. Every wait is a bounded poll on a condition.
// Project "wch<pid>", subnet 10.231.10.0/24.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <thread>

#include "integration/orchestrator/e2e_fixture.hpp"

extern char** environ;

namespace stack::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class WatchTest : public StackTest {
 protected:
  void begin() {
    start(5);
    project_ = "wch" + std::to_string(::getpid());
    prefix_ = "10.231.10.";
    subnet_ = prefix_ + "0/24";
  }

  void TearDown() override {
    if (watch_pid_ > 0) {  // a failed test: the watch must not outlive it
      ::kill(watch_pid_, SIGKILL);
      ::waitpid(watch_pid_, nullptr, 0);
    }
    StackTest::TearDown();
  }

  void write(const std::string& rel, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(root_ / rel).parent_path());
    ASSERT_TRUE(test::write_text(root_ / rel, text));
  }

  // `stack watch` (or another verb) in the background, its output in files of the test's root.
  void start_watch(const std::string& verb = "watch") {
    std::string cmd = "exec " + std::string(STACK_BINARY) + " --root " + root_.path() + " -p " + project_ + " -f " +
                      file() + " " + verb + " >" + (root_ / "watch.out") + " 2>" + (root_ / "watch.err") + " </dev/null";
    const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
    ASSERT_EQ(::posix_spawn(&watch_pid_, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ), 0);
  }

  // Sends sig to the background command and waits for it to end: its exit code, -1 if it did not.
  int end_watch(int sig) {
    if (::kill(watch_pid_, sig) != 0) return -1;
    int status = 0;
    if (!eventually([&] { return ::waitpid(watch_pid_, &status, WNOHANG) == watch_pid_; })) return -1;
    watch_pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string watch_out() const { return test::read_text(root_ / "watch.out"); }
  std::string watch_err() const { return test::read_text(root_ / "watch.err"); }

  // Polls cond every 100 ms, 60 s at most (a rebuild and a recreate take a few seconds).
  static bool eventually(const std::function<bool()>& cond) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      if (cond()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  Outcome in_web(const std::string& cmd) const { return stack("exec -T web sh -c " + shell_quote(cmd)); }

  // The id of an image in the test's store, "" when absent.
  std::string image_id(const std::string& ref) const {
    auto store = image::Store::open(root_.path());
    if (!store) return "";
    auto found = (*store)->find(ref);
    return found && *found ? (*found)->id.str() : "";
  }

  std::string started_at() const {
    auto all = ps();
    auto it = all.find(container("web"));
    return it == all.end() ? "" : it->second["StartedAt"].get<std::string>();
  }

  pid_t watch_pid_ = -1;
};

TEST_F(WatchTest, SyncRestartRebuildAndACleanEnd) {
  begin();
  write("app/Dockerfile", "FROM busybox\nCOPY page.txt /page.txt\nCMD [\"sleep\", \"600\"]\n");
  write("app/page.txt", "page one\n");
  write("html/index.html", "first\n");
  write("conf/app.conf", "a=1\n");
  write("hooks/.keep", "");
  write_stack(
      "  web:\n"
      "    build: ./app\n"
      "    init: true\n"
      "    develop:\n"
      "      watch:\n"
      "        - {path: ./html, action: sync, target: /www, ignore: [\"*.tmp\"], initial_sync: true}\n"
      "        - {path: ./conf, action: sync+restart, target: /etc/conf}\n"
      "        - {path: ./app, action: rebuild}\n"
      "        - path: ./hooks\n"
      "          action: sync+exec\n"
      "          target: /hooks\n"
      "          exec: {command: [\"sh\", \"-c\", \"cp /hooks/h.txt /tmp/exec-ran\"]}\n");
  start_watch("watch --prune");
  ASSERT_TRUE(eventually([&] { return watch_out().find("Watch enabled") != std::string::npos; }))
      << watch_out() << watch_err();
  // initial_sync: what the path held before the watch began.
  EXPECT_EQ(in_web("cat /www/index.html").out, "first\n");

  // A written file (in a new directory too) appears; an ignored one does not.
  write("html/skip.tmp", "no\n");
  write("html/index.html", "second\n");
  write("html/sub/deep.txt", "deep\n");
  EXPECT_TRUE(eventually([&] { return in_web("cat /www/index.html /www/sub/deep.txt").out == "second\ndeep\n"; }))
      << watch_out() << watch_err();
  EXPECT_NE(in_web("test -e /www/skip.tmp").code, 0) << "an ignored file was synced";
  EXPECT_THAT(watch_out(), HasSubstr("Syncing service web after "));

  // A removed file is removed in the container.
  std::filesystem::remove(root_ / "html/index.html");
  EXPECT_TRUE(eventually([&] { return in_web("test -e /www/index.html").code == 1; })) << watch_out() << watch_err();

  // A symlink in the container resolves inside the container's root: the write lands in the
  // container's /etc, never in the host's.
  ASSERT_EQ(in_web("ln -s /etc /www/link").code, 0);
  std::string name = "stack-watch-escape-" + std::to_string(::getpid());
  write("html/link/" + name, "inside\n");
  EXPECT_TRUE(eventually([&] { return in_web("cat /etc/" + name).out == "inside\n"; })) << watch_out() << watch_err();
  EXPECT_FALSE(std::filesystem::exists("/etc/" + name)) << "a sync wrote through a container symlink to the host";
  std::filesystem::remove("/etc/" + name);

  // sync+restart: the file is there and the container started again.
  std::string before = started_at();
  ASSERT_FALSE(before.empty());
  write("conf/app.conf", "a=2\n");
  EXPECT_TRUE(eventually([&] { return started_at() != before && in_web("cat /etc/conf/app.conf").out == "a=2\n"; }))
      << watch_out() << watch_err();
  EXPECT_THAT(watch_out(), HasSubstr("Restarting service web after "));
  // Nothing of watch's own is left in the container: no staged file beside a synced one.
  EXPECT_EQ(in_web("ls -a /www /www/sub /etc/conf | grep -c stack-sync").out, "0\n");

  // sync+exec: the command runs after the file is there.
  write("hooks/h.txt", "hooked\n");
  EXPECT_TRUE(eventually([&] { return in_web("cat /tmp/exec-ran").out == "hooked\n"; })) << watch_out() << watch_err();

  // rebuild: a new image, and the service's container made from it; --prune removes the old one.
  std::string old_id = image_id(project_ + "-web");
  ASSERT_FALSE(old_id.empty());
  write("app/page.txt", "page two\n");
  EXPECT_TRUE(eventually([&] { return in_web("cat /page.txt").out == "page two\n"; }))
      << in_web("cat /page.txt").out << in_web("cat /page.txt").err << watch_out() << watch_err();
  EXPECT_THAT(watch_out(), HasSubstr("Rebuilding service web after "));
  EXPECT_TRUE(eventually([&] { return image_id(old_id).empty(); })) << "--prune kept " << old_id;
  EXPECT_NE(image_id(project_ + "-web"), old_id);

  // SIGTERM: watch ends by itself, exit 0.
  EXPECT_EQ(end_watch(SIGTERM), 0) << watch_err();
  EXPECT_THAT(watch_out(), HasSubstr("Watch disabled"));
  EXPECT_THAT(watch_err(), Not(HasSubstr("warning"))) << watch_err();
}

// up --watch: attached, the rules applied meanwhile (one on a path made later, one on a directory
// removed and made again); Ctrl+C stops the watch, then the containers.
TEST_F(WatchTest, UpWatchSyncsWhileAttached) {
  begin();
  write("html/index.html", "first\n");
  write("site/public/a.txt", "one\n");
  write_stack(
      "  web:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "    develop:\n"
      "      watch:\n"
      "        - {path: ./html, action: sync, target: /www}\n"
      "        - {path: ./site/public, action: sync, target: /pub, initial_sync: true}\n"
      "        - {path: ./later/dist, action: sync, target: /dist, initial_sync: true}\n");
  EXPECT_EQ(stack("up --watch -d").code, 2);
  start_watch("up --watch");
  ASSERT_TRUE(eventually([&] { return watch_out().find("Watch enabled") != std::string::npos; }))
      << watch_out() << watch_err();
  write("html/index.html", "second\n");
  EXPECT_TRUE(eventually([&] { return in_web("cat /www/index.html").out == "second\n"; })) << watch_out() << watch_err();
  // A path that did not exist when the watch began is synced once it does.
  write("later/dist/app.js", "js\n");
  EXPECT_TRUE(eventually([&] { return in_web("cat /dist/app.js").out == "js\n"; })) << watch_out() << watch_err();
  // A watched directory removed and made again (`rm -rf dist && build`) is watched again.
  // (Its parent is watched by no rule: the old watch is all there was.)
  std::filesystem::remove_all(root_ / "site/public");
  EXPECT_TRUE(eventually([&] { return in_web("test -e /pub/a.txt").code == 1; })) << watch_out() << watch_err();
  write("site/public/a.txt", "third\n");
  EXPECT_TRUE(eventually([&] { return in_web("cat /pub/a.txt").out == "third\n"; })) << watch_out() << watch_err();
  write("site/public/a.txt", "fourth\n");
  EXPECT_TRUE(eventually([&] { return in_web("cat /pub/a.txt").out == "fourth\n"; })) << watch_out() << watch_err();
  EXPECT_EQ(end_watch(SIGINT), 130) << watch_err();
  EXPECT_THAT(watch_out(), HasSubstr("Watch disabled"));
  EXPECT_NE(ps()[container("web")]["State"], "running");
}

TEST(WatchCli, RefusesAStackWithoutWatchRules) {
  test::TempDir dir("stack-watch-none");
  ASSERT_TRUE(test::write_text(dir / "stack.yaml", "services:\n  web:\n    image: busybox\n"));
  std::string cmd = std::string(STACK_BINARY) + " --root " + (dir / "root") + " -f " + (dir / "stack.yaml") +
                    " watch --no-up 2>" + (dir / "err.txt") + " >/dev/null </dev/null";
  int status = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_THAT(test::read_text(dir / "err.txt"), HasSubstr("none of the selected services is configured for watch"));
}

}  // namespace
}  // namespace stack::e2e
