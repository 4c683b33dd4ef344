// `RUN` on the default network through the real binary, as root: the step's own namespace with
// eth0 on the build bridge (10.231.9.0/25 here), its route, its resolv.conf, a TCP connection to
// a listener of the test's on the bridge's gateway address while the bridge, its nft table and the
// step's veth are checked on the host; the masquerade rule and ip_forward while a build with
// masquerading runs (10.231.9.128/25), and both gone after it; a failed step and bad pools as one
// line with nothing left. Traffic goes only to the gateway address of the test's own build.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>

#include <fstream>
#include <sstream>

#include "build_fixture.hpp"
#include "util/fd.hpp"

namespace stack::build {
namespace {

constexpr const char* kPool = "10.231.9.0/25";

// A TCP listener on gateway:port, bound before the address exists (IP_FREEBIND): the build makes
// the bridge and its address only when the step is about to run.
class GatewayListener {
 public:
  explicit GatewayListener(const std::string& address) {
    fd_ = util::UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    int on = 1;
    ::setsockopt(fd_.get(), SOL_IP, IP_FREEBIND, &on, sizeof on);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
    if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd_.get(), 1) != 0) return;
    socklen_t len = sizeof sa;
    ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
  }
  int port() const { return port_; }

  // Accepts one connection (within 30 s), reads a line, runs while_connected, then closes it.
  std::string serve_once(const std::function<void()>& while_connected) {
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, 30000) != 1) return "<no connection>";
    util::UniqueFd conn(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    std::string line;
    char c = 0;
    while (line.size() < 100 && ::read(conn.get(), &c, 1) == 1 && c != '\n') line += c;
    while_connected();
    return line;
  }

 private:
  util::UniqueFd fd_;
  int port_ = 0;
};

class BuildNetworkTest : public BuildTest {
 protected:
  void SetUp() override {
    BuildTest::SetUp();
    ::setenv("STACK_BUILD_POOL", kPool, 1);
    bridge_ = build_bridge_name(root_.path(), *net::Subnet::parse(kPool));
  }
  // The network namespace of the running step of this root's build ("net:[inode]"), through the
  // processes of its cgroup: stack/_build/build-<name of its scratch directory>.
  std::string step_netns() const {
    namespace fs = std::filesystem;
    const std::string cgroups =
        fs::exists("/sys/fs/cgroup/pids/stack") ? "/sys/fs/cgroup/pids/stack/_build" : "/sys/fs/cgroup/stack/_build";
    std::error_code ec;
    for (fs::directory_iterator it(root_ / "builds", ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_directory()) continue;
      std::istringstream procs(test::read_text(cgroups + "/build-" + it->path().filename().string() + "/cgroup.procs"));
      std::string pid;
      if (procs >> pid) return sh("readlink /proc/" + pid + "/ns/net");
    }
    return "<no step running>";
  }

  std::string bridge_;
};

TEST_F(BuildNetworkTest, DefaultIsAnOwnNamespaceOnTheBuildBridge) {
  GatewayListener listener("10.231.9.1");
  ASSERT_NE(listener.port(), 0);
  write("Dockerfile",
        "FROM busybox\n"
        "RUN ip -4 addr show > /addr && ip route > /route && cat /etc/resolv.conf > /resolv \\\n"
        "    && ls /sys/class/net > /nets && echo hello-from-run | nc 10.231.9.1 " +
            std::to_string(listener.port()) + "\n");
  std::string bridge_addr, table, ports, netns;
  std::string received;
  std::thread server([&] {
    received = listener.serve_once([&] {
      bridge_addr = sh("ip -4 -o addr show dev " + bridge_);
      table = sh("nft list table ip " + bridge_);
      ports = sh("ip -o link show master " + bridge_);
      netns = step_netns();
    });
  });
  Outcome r = build("-t bld-bridge:1");
  server.join();
  built_id(r);
  EXPECT_EQ(received, "hello-from-run") << r.err;

  RootfsView v = view("bld-bridge:1");
  std::string addr = read_view(v, "addr");
  EXPECT_NE(addr.find("inet 10.231.9.2/25"), std::string::npos) << addr;
  EXPECT_NE(addr.find("eth0"), std::string::npos) << addr;
  EXPECT_NE(read_view(v, "route").find("default via 10.231.9.1 dev eth0"), std::string::npos) << read_view(v, "route");
  EXPECT_EQ(read_view(v, "nets"), "eth0\nlo\n");
  EXPECT_EQ(read_view(v, "resolv"), read_build_resolv_conf()) << "the host's, without loopback nameservers";

  // On the host, while the step was connected: the bridge with the gateway address, its table
  // (isolation only: the tests run with STACK_IP_MASQ=false), the step's veth its one port.
  EXPECT_NE(bridge_addr.find("inet 10.231.9.1/25"), std::string::npos) << bridge_addr;
  EXPECT_NE(table.find("table ip " + bridge_), std::string::npos) << table;
  EXPECT_NE(table.find("chain forward"), std::string::npos) << table;
  EXPECT_EQ(table.find("masquerade"), std::string::npos) << table;
  ASSERT_NE(ports.find(": stv"), std::string::npos) << ports;  // "N: stv…@if…: <…> … master stk-…"
  std::string veth = ports.substr(ports.find("stv"), 13);
  EXPECT_EQ(sh("ip -o link show " + veth), "") << "the step's veth is left";
  ASSERT_NE(netns.find("net:["), std::string::npos) << netns;
  EXPECT_NE(netns, sh("readlink /proc/self/ns/net")) << "the step ran in the host's namespace";
  netns.pop_back();  // the newline
  EXPECT_EQ(sh("for p in /proc/[0-9]*/ns/net; do readlink $p; done | grep -cF '" + netns + "'"), "0\n")
      << "a process is still in the step's network namespace";
  EXPECT_EQ(sh("grep -cF '" + netns + "' /proc/self/mountinfo"), "0\n") << "the step's namespace is kept by a mount";
  // TearDown: no record, bridge or table left.
}

// With masquerading (the default outside the tests), which turns ip_forward on: one at a time
// with the orchestrator's masquerade tests (the lock on their source file), and ip_forward back
// to what it was afterwards.
class BuildMasqueradeTest : public BuildTest {
 protected:
  void SetUp() override {
    lock_ = ::open(STACK_SOURCE_DIR "/tests/integration/orchestrator/masquerade_test.cpp", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(lock_, 0);
    ASSERT_EQ(::flock(lock_, LOCK_EX), 0);
    BuildTest::SetUp();
    ::setenv("STACK_BUILD_POOL", "10.231.9.128/25", 1);
    ::setenv("STACK_IP_MASQ", "true", 1);
    forwarding_before_ = sh("cat /proc/sys/net/ipv4/ip_forward");
  }
  void TearDown() override {
    ::setenv("STACK_IP_MASQ", "false", 1);
    BuildTest::TearDown();
    EXPECT_EQ(sh("cat /proc/sys/net/ipv4/ip_forward"), forwarding_before_) << "ip_forward not restored";
    EXPECT_FALSE(std::filesystem::exists("/run/stack/ip_forward.stack")) << "marker left";
    if (lock_ >= 0) ::close(lock_);
  }
  int lock_ = -1;
  std::string forwarding_before_;
};

TEST_F(BuildMasqueradeTest, TheBuildSubnetIsMasqueradedWhileTheBuildRuns) {
  const std::string bridge = build_bridge_name(root_.path(), *net::Subnet::parse("10.231.9.128/25"));
  GatewayListener listener("10.231.9.129");
  ASSERT_NE(listener.port(), 0);
  write("Dockerfile", "FROM busybox\nRUN echo masqueraded | nc 10.231.9.129 " + std::to_string(listener.port()) + "\n");
  std::string table, forwarding, received;
  std::thread server([&] {
    received = listener.serve_once([&] {
      table = sh("nft list table ip " + bridge);
      forwarding = sh("cat /proc/sys/net/ipv4/ip_forward");
    });
  });
  Outcome r = build("-t bld-masq:1");
  server.join();
  built_id(r);
  EXPECT_EQ(received, "masqueraded") << r.err;
  EXPECT_NE(table.find("ip saddr 10.231.9.128/25 oifname != \"" + bridge + "\" masquerade"), std::string::npos) << table;
  EXPECT_EQ(forwarding, "1\n");
  EXPECT_EQ(sh("nft list table ip " + bridge), "") << "the table outlived the build";
}

TEST_F(BuildNetworkTest, AFailedStepLeavesNoNetwork) {
  write("Dockerfile", "FROM busybox\nRUN ip -o link show eth0 && exit 3\n");
  ::setenv("STACK_BUILD_POOL", kTestBuildPool, 1);  // any /24 of the shared pool
  Outcome r = build("-t bld-bridge-fail:1");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("eth0"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("stack: Dockerfile:2: RUN ip -o link show eth0 && exit 3: exit code 3\n"), std::string::npos) << r.err;
  // TearDown: no record, bridge, table, mount, cgroup or process left.
}

TEST_F(BuildNetworkTest, NoneAndHostMakeNoBridge) {
  write("Dockerfile", "FROM busybox\nRUN --network=host true\nRUN --network=none ls /sys/class/net > /nets\n");
  built_id(build("-t bld-nobridge:1"));
  EXPECT_EQ(read_view(view("bld-nobridge:1"), "nets"), "lo\n");
  EXPECT_FALSE(std::filesystem::exists(root_ / "build-net"));
}

TEST_F(BuildNetworkTest, BadPoolsAreOneLineAndLeaveNothing) {
  write("Dockerfile", "FROM busybox\nRUN echo the-step-ran\n");
  Outcome bad = stack("image build --progress plain --build-pool 10.231.9.1/24 " + context());
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err, "stack: build pool '10.231.9.1/24': subnet '10.231.9.1/24' has host bits set (did you mean "
                     "'10.231.9.0/24'?)\n");
  // Every /24 of the loopback range is the host's (lo holds 127.0.0.1/8).
  ::setenv("STACK_BUILD_POOL", "127.0.0.0/23", 1);
  Outcome none = build("");
  EXPECT_EQ(none.code, 1);
  EXPECT_EQ(none.err.find("\nthe-step-ran\n"), std::string::npos) << none.err;
  std::string last = none.err.substr(none.err.rfind("stack: "));
  EXPECT_EQ(last,
            "stack: Dockerfile:2:1: RUN: no free subnet for the build network in '127.0.0.0/23' (every /24 overlaps a "
            "route or address of the host); choose another with --build-pool or STACK_BUILD_POOL\n")
      << none.err;
}

}  // namespace
}  // namespace stack::build
