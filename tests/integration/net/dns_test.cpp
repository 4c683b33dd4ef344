// Root tests of the embedded DNS server: a test bridge, a namespace attached to it that asks the
// server on the gateway address, the server started and stopped through net::dns's control API
// as the orchestrator will. Forwarding goes only to a fake upstream on 127.0.0.1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "bridged_netns_fixture.hpp"
#include "net/dns/control.hpp"
#include "net/dns/message.hpp"
#include "net/dns/pid_file.hpp"
#include "net/dns/records.hpp"
#include "support/fake_dns_upstream.hpp"
#include "support/rootfs.hpp"
#include "test_sockets.hpp"
#include "util/detached.hpp"
#include "util/fd.hpp"

namespace stack::net::dns {
namespace {

using net::testing::BridgedNetnsTest;
using util::Result;

const Ipv4 kLoopback{0x7F000001};

class DnsServerTest : public BridgedNetnsTest {
 protected:
  void SetUp() override {
    BridgedNetnsTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_FALSE(root_.path().empty());
    std::filesystem::create_directories(root_.path() + "/run/dns");
    web_ = {net::testing::host(subnet_, 2), net::testing::host(subnet_, 3)};
    ASSERT_TRUE(write_dns_records(records_file(root_.path(), network_),
                                  {{"web", Addresses(web_, {})}, {"demo-web-1", {web_[0]}}}));
  }

  void TearDown() override {
    if (!root_.path().empty()) {
      const auto pid = pid_file_holder(dns_pid_file(root_.path(), network_));
      auto stopped = stop_dns_server(root_.path(), network_);
      EXPECT_TRUE(stopped) << stopped.error().message();
      if (pid) {
        EXPECT_TRUE(gone(*pid)) << "dns server pid " << *pid << " left behind";
      }
      EXPECT_FALSE(std::filesystem::exists(dns_pid_file(root_.path(), network_)));
    }
    BridgedNetnsTest::TearDown();
  }

  Result<void> start(bool forward = false, std::vector<Upstream> upstreams = {}) {
    return ensure_dns_server(STACK_BINARY, {.root = root_.path(), .network = network_,
                                            .listen = gateway_, .forward = forward,
                                            .upstreams = std::move(upstreams)});
  }

  // One query from inside the test's namespace to the server on the gateway.
  Result<std::string> ask(const std::string& name, bool tcp = false, std::uint16_t type = kTypeA) {
    return in_netns(netns_fd(), [&]() -> Result<std::string> {
      const std::string query = build_query(0x1234, name, type);
      if (tcp) {
        auto fd = net::testing::connect_tcp(gateway_, 53, 5);
        if (!fd || !net::testing::send_all(fd.get(), with_length_prefix(query))) {
          return util::Error::from_errno("tcp query");
        }
        std::string framed = net::testing::read_n(fd.get(), 2);
        if (framed.size() != 2) return util::fail(util::Errc::io, "no tcp answer");
        const std::size_t n = static_cast<std::uint8_t>(framed[0]) << 8 | static_cast<std::uint8_t>(framed[1]);
        framed += net::testing::read_n(fd.get(), n);
        auto reply = take_framed(framed);
        if (!reply) return util::fail(util::Errc::io, "short tcp answer");
        return *reply;
      }
      auto fd = net::testing::connect_udp(gateway_, 53, 5);
      if (!fd || ::send(fd.get(), query.data(), query.size(), 0) < 0) return util::Error::from_errno("udp query");
      char buf[4096];
      const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
      if (n < 0) return util::Error::from_errno("udp answer");
      return std::string(buf, static_cast<std::size_t>(n));
    });
  }

  static bool gone(pid_t pid) {
    for (int i = 0; i < 200; ++i) {
      if (::kill(pid, 0) != 0) return true;
      std::string stat = test::read_text("/proc/" + std::to_string(pid) + "/stat");
      const std::size_t paren = stat.rfind(')');
      if (paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z') return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  test::TempDir root_{"stack-dns"};
  std::vector<Ipv4> web_;
};

TEST_F(DnsServerTest, AnswersOwnedNamesOverUdpAndTcp) {
  ASSERT_TRUE(start()) << "start failed";
  EXPECT_TRUE(dns_server_alive(root_.path(), network_));
  for (bool tcp : {false, true}) {
    auto reply = ask("WEB", tcp);
    ASSERT_TRUE(reply) << reply.error().message();
    auto header = peek_reply_header(*reply);
    ASSERT_TRUE(header);
    EXPECT_EQ(header->id, 0x1234);
    EXPECT_EQ(header->rcode, Rcode::noerror);
    EXPECT_TRUE(header->authoritative);
    EXPECT_EQ(*parse_a_answers(*reply), web_) << (tcp ? "tcp" : "udp");
  }
  auto one = ask("demo-web-1.");
  ASSERT_TRUE(one);
  EXPECT_EQ(*parse_a_answers(*one), std::vector<Ipv4>{web_[0]});
  auto aaaa = ask("web", false, 28);
  ASSERT_TRUE(aaaa);
  EXPECT_EQ(peek_reply_header(*aaaa)->rcode, Rcode::noerror);
  EXPECT_EQ(peek_reply_header(*aaaa)->answer_count, 0);
}

// The server runs as `stack-dns`, the small executable next to `stack`; the hidden verb of `stack`
// itself, with the same arguments, is its fallback and is stopped the same way.
TEST_F(DnsServerTest, StackDnsServesAndTheStackVerbIsItsFallback) {
  ASSERT_TRUE(start());
  auto pid = pid_file_holder(dns_pid_file(root_.path(), network_));
  ASSERT_TRUE(pid && *pid > 0);
  char exe[4096] = {};
  ASSERT_GT(::readlink(("/proc/" + std::to_string(*pid) + "/exe").c_str(), exe, sizeof exe - 1), 0);
  EXPECT_TRUE(std::string(exe).ends_with("/stack-dns")) << exe;
  ASSERT_TRUE(stop_dns_server(root_.path(), network_));

  auto ready = util::Pipe::make(O_CLOEXEC);
  ASSERT_TRUE(ready);
  ASSERT_TRUE(util::spawn_detached({STACK_BINARY, "--root", root_.path(), "dns-server", "--network", network_,
                                    "--listen", gateway_.str(), "--ready-fd", "3"},
                                   ready->write.get()));
  ready->write.reset();
  EXPECT_EQ(*util::read_to_end(ready->read.get()), "ok\n");
  auto reply = ask("web");
  ASSERT_TRUE(reply) << reply.error().message();
  EXPECT_EQ(*parse_a_answers(*reply), web_);
}

TEST(StackDns, BadArgumentsAreOneLine) {
  const std::string dir = std::string(STACK_BINARY).substr(0, std::string(STACK_BINARY).rfind('/'));
  const std::string cmd = dir + "/stack-dns --root /nonexistent dns-server --network n --listen 10.0.0.1 --port 99999 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[512] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, p);
  const int status = ::pclose(p);
  EXPECT_EQ(std::string(buf, n), "dns-server: --port 99999: expected 1..65535\n");
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

TEST_F(DnsServerTest, UnknownNameIsServfailAtOnce) {
  ASSERT_TRUE(start());
  const auto before = std::chrono::steady_clock::now();
  auto reply = ask("not-a-service");
  ASSERT_TRUE(reply) << reply.error().message();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(1));
  EXPECT_EQ(peek_reply_header(*reply)->rcode, Rcode::servfail);
}

TEST_F(DnsServerTest, ReloadsWhenTheRecordsChange) {
  ASSERT_TRUE(start());
  ASSERT_EQ(*parse_a_answers(*ask("web")), web_);
  const Ipv4 moved = net::testing::host(subnet_, 9);
  ASSERT_TRUE(write_dns_records(records_file(root_.path(), network_), {{"web", {moved}}, {"db", {web_[1]}}}));
  EXPECT_EQ(*parse_a_answers(*ask("web")), std::vector<Ipv4>{moved});
  EXPECT_EQ(*parse_a_answers(*ask("db", true)), std::vector<Ipv4>{web_[1]});
  EXPECT_EQ(peek_reply_header(*ask("demo-web-1"))->rcode, Rcode::servfail);
}

TEST_F(DnsServerTest, EnsureIsIdempotentAndStopLeavesNothing) {
  ASSERT_TRUE(start());
  const auto pid = pid_file_holder(dns_pid_file(root_.path(), network_));
  ASSERT_TRUE(pid);
  ASSERT_TRUE(start());
  EXPECT_EQ(pid_file_holder(dns_pid_file(root_.path(), network_)), pid) << "a second server started";
  auto stopped = stop_dns_server(root_.path(), network_);
  ASSERT_TRUE(stopped) << stopped.error().message();
  EXPECT_TRUE(*stopped);
  EXPECT_TRUE(gone(*pid));
  EXPECT_FALSE(dns_server_alive(root_.path(), network_));
  EXPECT_FALSE(std::filesystem::exists(dns_pid_file(root_.path(), network_)));
  EXPECT_FALSE(*stop_dns_server(root_.path(), network_));
}

TEST_F(DnsServerTest, ASecondServerOnTheSameAddressFailsWithItsErrorLine) {
  ASSERT_TRUE(start());
  auto other = ensure_dns_server(STACK_BINARY, {.root = root_.path(), .network = network_ + "2",
                                                .listen = gateway_});
  ASSERT_TRUE(other.has_value() == false);
  EXPECT_EQ(other.error().message(), "dns server for network '" + network_ + "2': bind " +
                                         gateway_.str() + ":53/udp: Address already in use");
  EXPECT_FALSE(dns_server_alive(root_.path(), network_ + "2"));
}

// A real stub resolver as a cross-check of the wire format: busybox nslookup (A and AAAA queries)
// run inside the test's namespace against the gateway.
TEST_F(DnsServerTest, BusyboxNslookupResolvesAName) {
  ASSERT_EQ(::access("/bin/busybox", X_OK), 0) << "no /bin/busybox (scripts/install-deps.sh installs it)";
  ASSERT_TRUE(start());
  auto out = util::Pipe::make();
  ASSERT_TRUE(out);
  const std::string server = gateway_.str();
  auto child = net::testing::spawn_in_netns(netns_fd(), [&] {
    ::dup2(out->write.get(), 1);
    ::dup2(out->write.get(), 2);
    ::execl("/bin/busybox", "nslookup", "web", server.c_str(), static_cast<char*>(nullptr));
    return false;
  });
  ASSERT_TRUE(child) << child.error().message();
  out->write.reset();
  auto text = util::read_to_end(out->read.get());
  ASSERT_TRUE(text);
  auto status = child->wait();
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->success()) << *text;
  EXPECT_THAT(*text, ::testing::HasSubstr("Address: " + web_[0].str())) << *text;
  EXPECT_THAT(*text, ::testing::HasSubstr("Address: " + web_[1].str())) << *text;
}

TEST_F(DnsServerTest, ForwardsUnknownNamesOnlyWhenEnabled) {
  test::FakeDnsUpstream upstream;
  // An upstream that refuses (nothing listens on this port of 127.0.0.1) is skipped.
  ASSERT_TRUE(start(true, {{kLoopback, 9}, {kLoopback, upstream.port()}}));
  auto reply = ask("elsewhere.test");
  ASSERT_TRUE(reply) << reply.error().message();
  EXPECT_EQ(peek_reply_header(*reply)->rcode, Rcode::noerror);
  EXPECT_EQ(*parse_a_answers(*reply), std::vector<Ipv4>{test::FakeDnsUpstream::answer()});
  EXPECT_EQ(upstream.queries(), 1);
  // Owned names never go upstream, whatever the type.
  EXPECT_EQ(*parse_a_answers(*ask("web")), web_);
  EXPECT_EQ(peek_reply_header(*ask("web", true, 28))->answer_count, 0);
  EXPECT_EQ(upstream.queries(), 1);
}

}  // namespace
}  // namespace stack::net::dns
