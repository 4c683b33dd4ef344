// `stack daemon` through the real binary, as systemd runs it: the test listens on the
// NOTIFY_SOCKET it gives the daemon (READY, STATUS, WATCHDOG, STOPPING), drops, edits, breaks and
// removes stack files in its stacks directory, and deletes or kills what the daemon must put
// back. Each test has its own state root, project and subnet (e2e_fixture.hpp, subnets 50..59),
// and checks that nothing is left.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <fstream>

#include "integration/orchestrator/e2e_fixture.hpp"
#include "runtime/shim/container_state.hpp"

namespace stack::e2e {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// The receiving end of systemd's notification protocol: a datagram socket at a path.
class NotifyListener {
 public:
  explicit NotifyListener(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path_.c_str());
    ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    timeval tv{0, 200000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~NotifyListener() { ::close(fd_); }
  const std::string& path() const { return path_; }

  // Reads messages until one contains `what` (limit at most); true if one did.
  bool wait_for(const std::string& what, std::chrono::milliseconds limit = 60s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      for (const auto& m : messages_) {
        if (m.find(what) != std::string::npos) return true;
      }
      if (std::chrono::steady_clock::now() > deadline) return false;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) messages_.emplace_back(buf, static_cast<size_t>(n));
    }
  }
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
};

class Daemon : public StackTest {
 protected:
  void TearDown() override {
    stop_daemon();
    StackTest::TearDown();
    EXPECT_EQ(sh("ps -eo args | grep -F -- '--root " + root_.path() + " daemon' | grep -v grep"), "") << "daemon left";
  }

  // `down` at teardown reads a stack file; the one in the stacks directory may be gone.
  void drop_file_for_teardown() {
    file_.clear();
    write_stack(kTwo);
  }

  std::string stacks_dir() const { return root_ / "stacks.d"; }

  // The project's file in the stacks directory (the key is the project's name), as an editor
  // saves it: a temporary renamed into place.
  void drop(const std::string& services, const std::string& extra = "") {
    file_.clear();  // write_stack writes <root>/stack.yaml
    write_stack(services, extra);
    std::filesystem::create_directories(stacks_dir());
    std::filesystem::rename(file(), stacks_dir() + "/" + project_ + ".yaml");
    file_ = stacks_dir() + "/" + project_ + ".yaml";
  }

  void start_daemon(const std::vector<std::string>& env = {}) {
    std::filesystem::create_directories(stacks_dir());
    notify_ = std::make_unique<NotifyListener>(root_ / ("notify-" + std::to_string(++daemons_)));
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setenv("NOTIFY_SOCKET", notify_->path().c_str(), 1);
      for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
      std::string log = root_ / "daemon.log";
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      ::dup2(fd, 2);
      ::dup2(fd, 1);
      ::execl(STACK_BINARY, STACK_BINARY, "--root", root_.path().c_str(), "--log-level", "info", "daemon",
              "--stacks-dir", stacks_dir().c_str(), "--resync", "1s", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ASSERT_GT(pid_, 0);
    ASSERT_TRUE(notify_->wait_for("READY=1")) << test::read_text(root_ / "daemon.log");
  }

  // SIGTERM (or another signal) and its exit code.
  int stop_daemon(int signal = SIGTERM) {
    if (pid_ <= 0) return 0;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  runtime::shim::ContainerState state_of(const std::string& name) const {
    auto s = runtime::shim::read_state(root_ / ("containers/" + name + "/state.json"));
    return s ? *s : runtime::shim::ContainerState{};
  }

  bool running(const std::string& name, std::chrono::milliseconds limit = 30s) const {
    return wait_until(name, [](const nlohmann::json& c) { return c["State"] == "running"; }, limit);
  }

  std::string started_at(const std::string& name) { return ps()[name]["StartedAt"]; }

  static constexpr const char* kTwo =
      "  web:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "    restart: always\n"
      "  client:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "    restart: unless-stopped\n";

  std::unique_ptr<NotifyListener> notify_;
  pid_t pid_ = 0;
  int daemons_ = 0;
};

TEST_F(Daemon, SpeaksSystemdsProtocolAndLeavesContainersRunningWhenStopped) {
  start(50);
  drop(kTwo);
  start_daemon({"WATCHDOG_USEC=400000"});
  EXPECT_TRUE(notify_->wait_for("STATUS=1 stack, 2/2 running")) << test::read_text(root_ / "daemon.log");
  EXPECT_TRUE(notify_->wait_for("WATCHDOG=1"));
  EXPECT_EQ(stop_daemon(), 0);
  EXPECT_TRUE(notify_->wait_for("STOPPING=1", 5s));
  EXPECT_TRUE(running(container("web"), 1s));
  EXPECT_TRUE(running(container("client"), 1s));
}

TEST_F(Daemon, ADroppedFileComesUpAndAnEditRecreatesOnlyTheChangedService) {
  start(51);
  start_daemon();
  drop(kTwo);
  ASSERT_TRUE(running(container("web")));
  ASSERT_TRUE(running(container("client")));
  const std::string web_started = started_at(container("web"));
  std::string edited = std::string(kTwo) + "    environment: {EDITED: \"1\"}\n";  // client's
  drop(edited);
  EXPECT_TRUE(wait_until(container("client"), [&](const nlohmann::json&) {
    return stack("exec -T client sh -c 'echo $EDITED'").out == "1\n";
  }));
  EXPECT_EQ(started_at(container("web")), web_started) << "web was touched";
  Outcome ls = stack("ls --format json");
  EXPECT_THAT(ls.out, HasSubstr(project_));
  EXPECT_THAT(ls.out, HasSubstr(project_ + ".yaml"));
}

TEST_F(Daemon, AContainerWhoseShimAndProcessesWereKilledComesBack) {
  start(52);
  drop(kTwo);
  start_daemon();
  ASSERT_TRUE(running(container("web")));
  auto before = state_of(container("web"));
  ASSERT_GT(before.shim_pid, 0);
  ::kill(before.shim_pid, SIGKILL);
  ::kill(before.pid, SIGKILL);
  EXPECT_TRUE(wait_until(container("web"), [&](const nlohmann::json& c) {
    return c["State"] == "running" && state_of(container("web")).shim_pid != before.shim_pid;
  })) << test::read_text(root_ / "daemon.log");
}

TEST_F(Daemon, ADeletedBridgeIsHealedAndNamesResolveWithoutARestart) {
  start(53);
  // Dual-stack, so that the healing is seen to bring the IPv6 addresses back too.
  const std::string prefix6 = e2e_prefix6(53);
  drop(kTwo, "        - subnet: \"" + prefix6 + "/64\"\n    enable_ipv6: true\n");
  start_daemon();
  ASSERT_TRUE(running(container("web")));
  ASSERT_TRUE(running(container("client")));
  ASSERT_EQ(stack("exec -T client nslookup web").code, 0);
  const std::string web_started = started_at(container("web"));
  const std::string client_started = started_at(container("client"));
  const std::string bridge = net::bridge_name(project_ + "_default");
  ASSERT_EQ(std::system(("ip link del " + bridge).c_str()), 0);
  bool healed = false;
  for (int i = 0; i < 100 && !healed; ++i) {
    std::this_thread::sleep_for(100ms);
    healed = stack("exec -T client nslookup web").code == 0;
  }
  EXPECT_TRUE(healed) << test::read_text(root_ / "daemon.log");
  EXPECT_NE(sh("ip -o link show " + bridge), "");
  EXPECT_THAT(sh("ip -6 addr show dev " + bridge), HasSubstr(prefix6 + "1/64"));
  // client was allocated first (::2), web second (::3).
  EXPECT_THAT(stack("exec -T client ip -6 addr show dev eth0").out, HasSubstr(prefix6 + "2/64"));
  Outcome ping6 = stack("exec -T client ping -6 -c 1 -W 2 " + prefix6 + "3");
  EXPECT_EQ(ping6.code, 0) << ping6.out << ping6.err;
  EXPECT_EQ(started_at(container("web")), web_started);
  EXPECT_EQ(started_at(container("client")), client_started);
}

TEST_F(Daemon, ABadFileBesideAGoodOneIsNamedWithItsLineAndTheGoodOneRuns) {
  start(54);
  drop(kTwo);
  ASSERT_TRUE(test::write_text(stacks_dir() + "/zz-bad.yaml", "services:\n  x:\n    image: [1, 2]\n"));
  start_daemon();
  ASSERT_TRUE(running(container("web")));
  Outcome status = stack("daemon status --format json");
  ASSERT_EQ(status.code, 0) << status.err;
  auto j = nlohmann::json::parse(status.out);
  bool named = false;
  for (const auto& p : j["projects"]) {
    if (p["key"] == "zz-bad") {
      EXPECT_EQ(p["state"], "invalid");
      EXPECT_THAT(p["last_error"].get<std::string>(), HasSubstr("zz-bad.yaml:3:"));
      named = true;
    }
  }
  EXPECT_TRUE(named) << status.out;
  Outcome table = stack("daemon status");
  EXPECT_THAT(table.out, HasSubstr("failing: zz-bad"));
}

TEST_F(Daemon, KillNineOfTheDaemonAndANewOneRestartNothing) {
  start(55);
  drop(kTwo);
  start_daemon();
  ASSERT_TRUE(running(container("web")));
  ASSERT_TRUE(running(container("client")));
  auto web = state_of(container("web"));
  auto client = state_of(container("client"));
  EXPECT_EQ(stop_daemon(SIGKILL), 128 + SIGKILL);
  start_daemon();
  EXPECT_TRUE(notify_->wait_for("STATUS=1 stack, 2/2 running"));
  EXPECT_EQ(state_of(container("web")).shim_pid, web.shim_pid);
  EXPECT_EQ(state_of(container("web")).started_at, web.started_at);
  EXPECT_EQ(state_of(container("client")).started_at, client.started_at);
}

TEST_F(Daemon, ARemovedFileGoesDown) {
  start(56);
  drop(kTwo);
  start_daemon();
  ASSERT_TRUE(running(container("web")));
  std::filesystem::remove(file());
  drop_file_for_teardown();
  const std::string bridge = net::bridge_name(project_ + "_default");
  bool gone = false;
  for (int i = 0; i < 150 && !gone; ++i) {
    std::this_thread::sleep_for(100ms);
    gone = sh("ip -o link show " + bridge + " 2>/dev/null").empty() && ps().empty();
  }
  EXPECT_TRUE(gone) << test::read_text(root_ / "daemon.log");
}

TEST_F(Daemon, ANewBootBringsEveryProjectUpInOrder) {
  start(57);
  drop(
      "  db:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "    restart: \"no\"\n"
      "  web:\n"
      "    image: busybox\n"
      "    command: [\"sleep\", \"600\"]\n"
      "    init: true\n"
      "    restart: \"no\"\n"
      "    depends_on: [db]\n");
  start_daemon();
  ASSERT_TRUE(running(container("db")));
  ASSERT_TRUE(running(container("web")));
  EXPECT_EQ(stop_daemon(), 0);
  // What a reboot leaves: no process of any container, the states saying they ran.
  for (const char* service : {"web", "db"}) {
    auto s = state_of(container(service));
    ::kill(s.shim_pid, SIGKILL);
    ::kill(s.pid, SIGKILL);
  }
  ASSERT_TRUE(wait_until(container("db"), [](const nlohmann::json& c) { return c["State"] == "exited"; }));
  // restart: "no" and a dead shim: a daemon restart on the same boot leaves them down...
  start_daemon();
  EXPECT_TRUE(notify_->wait_for("STATUS=1 stack, 0/2 running"));
  EXPECT_EQ(stop_daemon(), 0);
  // ...a new boot brings them up, dependencies first.
  std::string record = test::read_text(root_ / "daemon/daemon.json");
  auto j = nlohmann::json::parse(record);
  j["boot_id"] = "an-earlier-boot";
  ASSERT_TRUE(test::write_text(root_ / "daemon/daemon.json", j.dump()));
  start_daemon();
  ASSERT_TRUE(running(container("db")));
  ASSERT_TRUE(running(container("web")));
  EXPECT_LT(started_at(container("db")), started_at(container("web")));
}

TEST_F(Daemon, AUserStoppedContainerStaysStoppedAcrossResyncs) {
  start(58);
  drop(kTwo);
  start_daemon();
  ASSERT_TRUE(running(container("web")));
  ASSERT_EQ(stack("stop web").code, 0);
  std::this_thread::sleep_for(3s);  // three resyncs (--resync 1s)
  EXPECT_NE(ps()[container("web")]["State"], "running");
  ASSERT_EQ(stack("start web").code, 0);
  EXPECT_TRUE(running(container("web"), 5s));
}

}  // namespace
}  // namespace stack::e2e
