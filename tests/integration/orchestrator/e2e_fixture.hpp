// End-to-end fixture: the real `stack` binary against the real kernel, each test with its own
// state root, project name and /24 (10.231.<64+index>.0/24; the net tests take 10.234/16), the
// busybox test image loaded into its root. Teardown runs `down -v` and checks that nothing of
// the project is left: no container, bridge, nft table, veth, netns file, mount, cgroup or shim
// process. The binary runs with STACK_IP_MASQ=false: no test but the masquerading ones turns on
// ip_forward or masquerades, and with STACK_DNS_FORWARD=false: no DNS server forwards a name.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "image/store.hpp"
#include "net/firewall.hpp"
#include "net/naming.hpp"
#include "net/nl/link.hpp"
#include "support/rootfs.hpp"

namespace stack::e2e {

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The busybox OCI tarball, made once per test binary.
inline const std::string& test_image() {
  static test::TempDir dir("stack-e2e-image");
  static std::string path = [] {
    std::string out = dir / "busybox.tar";
    std::string cmd = std::string(STACK_SOURCE_DIR) + "/scripts/make-test-image.sh " + out + " >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0 ? out : std::string();
  }();
  return path;
}

// The first two octets of the e2e subnets: 10.231, or STACK_E2E_NET for a second run of these
// tests at the same time (tests/sanitize runs them under ASan on 10.233).
inline std::string e2e_net() {
  const char* net = std::getenv("STACK_E2E_NET");
  return net && *net ? net : "10.231";
}

// "10.231.<64+index>.", the first three octets of e2e subnet `index` with the dot.
inline std::string e2e_prefix(int index) { return e2e_net() + "." + std::to_string(64 + index) + "."; }

// "fd5c:<second octet of e2e_net()>:<64+index>::", the IPv6 /64 of e2e subnet `index` without its
// length: beside 10.231.<64+index>.0/24 in the plain run and 10.233.<64+index>.0/24 in the
// sanitizer run, so the two never share one, and never the host's fd00::/64.
inline std::string e2e_prefix6(int index) {
  const std::string net = e2e_net();
  return "fd5c:" + net.substr(net.find('.') + 1) + ":" + std::to_string(64 + index) + "::";
}

class StackTest : public ::testing::Test {
 protected:
  // subnet_index: 0..63, one per test, so that tests running at once never share a subnet.
  void start(int subnet_index) {
    ASSERT_FALSE(root_.path().empty());
    ::setenv("STACK_IP_MASQ", "false", 1);  // for every command, the tests' own shell lines too
    // No test asks a real resolver: forwarding goes only to a fake upstream (dns_forward_test.cpp).
    ::setenv("STACK_DNS_FORWARD", "false", 1);
    prefix_ = e2e_prefix(subnet_index);
    subnet_ = prefix_ + "0/24";
    project_ = "e2e" + std::to_string(::getpid()) + "x" + std::to_string(subnet_index);
    ASSERT_FALSE(test_image().empty()) << "scripts/make-test-image.sh failed";
    auto store = image::Store::open(root_.path());
    ASSERT_TRUE(store) << store.error().message();
    auto loaded = (*store)->load(test_image());
    ASSERT_TRUE(loaded) << loaded.error().message();
  }

  void TearDown() override {
    if (project_.empty()) return;
    Outcome down = stack("down -v -t 0");
    EXPECT_EQ(down.code, 0) << down.err;
    expect_no_residue();
  }

  // The stack file: `services` is YAML of the services: block (indented by two); the default
  // network gets this test's subnet.
  void write_stack(const std::string& services, const std::string& extra = "") {
    std::string text = "services:\n" + services + "networks:\n  default:\n    ipam:\n      config:\n        - subnet: " +
                       subnet_ + "\n" + extra;
    ASSERT_TRUE(test::write_text(file(), text));
  }

  std::string file() const { return file_.empty() ? root_ / "stack.yaml" : file_; }

  Outcome stack(const std::string& args) const { return stack_as(project_, file(), args); }

  // Another project of the same root, with its own file.
  Outcome stack_as(const std::string& project, const std::string& file, const std::string& args) const {
    std::string out = root_ / "out.txt", err = root_ / "err.txt";
    std::string cmd = std::string(STACK_BINARY) + " --root " + root_.path() + " -p " + project + " -f " +
                      file + " " + args + " >" + out + " 2>" + err + " </dev/null";
    Outcome r;
    int status = std::system(cmd.c_str());
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = test::read_text(out);
    r.err = test::read_text(err);
    return r;
  }

  // `ps -a --format json`, by container name.
  std::map<std::string, nlohmann::json> ps() const {
    std::map<std::string, nlohmann::json> out;
    Outcome r = stack("ps -a --format json");
    EXPECT_EQ(r.code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (!j.is_array()) return out;
    for (auto& c : j) out[c["Name"].get<std::string>()] = c;
    return out;
  }

  std::string container(const std::string& service, int n = 1) const {
    return project_ + "-" + service + "-" + std::to_string(n);
  }

  // Polls ps until pred holds for the container (10 s at most).
  bool wait_until(const std::string& name, const std::function<bool(const nlohmann::json&)>& pred,
                  std::chrono::milliseconds limit = std::chrono::seconds(15)) const {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      auto all = ps();
      auto it = all.find(name);
      if (it != all.end() && pred(it->second)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  static std::string sh(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
    return out;
  }

  // A network's nft table: its bridge's name. A table is made after its bridge and removed before
  // it, so a table whose bridge stays gone was left behind, whichever test made it. Other tests run
  // at once, and one deletes a bridge on purpose for the daemon to heal: a foreign table counts as
  // left only when its bridge is still missing, and it still there, 5 s later.
  static void expect_no_table_left(const std::string& bridge) {
    auto tables = net::list_firewalls();
    ASSERT_TRUE(tables.has_value()) << tables.error().message();
    for (const net::FirewallTable& t : *tables) {
      EXPECT_NE(t.bridge, bridge) << "nft table " << t.bridge << " left";
      bool orphan = true;
      for (int i = 0; i < 50 && orphan; ++i) {
        auto link = net::nl::find_link(t.bridge);
        auto again = net::find_firewall(t.bridge);
        orphan = link && !link->has_value() && again && again->has_value();
        if (orphan) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      EXPECT_FALSE(orphan) << "nft table " << t.bridge << " left without its bridge";
    }
  }

  void expect_no_residue() const { expect_no_residue(project_, prefix_); }

  // What a project of this root leaves after `down`: nothing. address_prefix: its subnet's
  // first three octets with the dot ("10.231.64.").
  void expect_no_residue(const std::string& project, const std::string& address_prefix) const {
    namespace fs = std::filesystem;
    std::string bridge = net::bridge_name(project + "_default");
    EXPECT_EQ(sh("ip -o link show " + bridge + " 2>/dev/null"), "") << "bridge " << bridge << " left";
    expect_no_table_left(bridge);
    std::error_code ec;
    for (fs::directory_iterator it(root_ / "containers", ec), end; !ec && it != end; it.increment(ec)) {
      ADD_FAILURE() << "container dir left: " << it->path();
    }
    for (fs::directory_iterator it(root_ / "run/netns", ec), end; !ec && it != end; it.increment(ec)) {
      ADD_FAILURE() << "netns file left: " << it->path();
    }
    EXPECT_EQ(sh("grep -c " + shell_quote(root_.path()) + " /proc/self/mountinfo"), "0\n") << "mounts left under the root";
    for (const char* controller : {"memory", "pids", "cpu,cpuacct", "unified"}) {
      std::string dir = std::string("/sys/fs/cgroup/") + controller + "/stack/" + project;
      EXPECT_FALSE(fs::exists(dir)) << "cgroup left: " << dir;
    }
    EXPECT_EQ(sh("ps -eo args | grep -F -- '--root " + root_.path() + " shim' | grep -v grep"), "") << "shim left";
    EXPECT_EQ(sh("ip -o addr | grep -c -F " + shell_quote(" " + address_prefix)), "0\n") << "address left";
  }

  test::TempDir root_{"stack-e2e"};
  std::string file_;  // a stack file elsewhere (the examples); "" = the one write_stack() writes
  std::string project_;
  std::string subnet_;
  std::string prefix_;
};

}  // namespace stack::e2e
