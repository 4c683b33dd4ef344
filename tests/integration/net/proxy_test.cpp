// Root tests of net::proxy::PortProxy: a proxy on 127.0.0.1 in front of echo servers inside a
// namespace the test made, behind a test bridge. Traffic goes only to loopback and to that
// namespace.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "bridged_netns_fixture.hpp"
#include "net/proxy/port_proxy.hpp"
#include "peer_servers.hpp"

namespace stack::net::proxy {
namespace {

using ::testing::HasSubstr;
using net::testing::BridgedNetnsTest;

constexpr uint16_t kTcpPort = 17000;
constexpr uint16_t kUdpPort = 17001;
constexpr uint16_t kClosedPort = 17002;
const Ipv4 kLoopback{0x7F000001};

class ProxyTest : public BridgedNetnsTest {
 protected:
  void SetUp() override {
    BridgedNetnsTest::SetUp();
    if (HasFatalFailure()) return;
    start_server([this](int ready) { return net::testing::serve_tcp_echo(peer_, kTcpPort, ready); });
    start_server([this](int ready) { return net::testing::serve_udp_echo(peer_, kUdpPort, ready); });
    auto proxy = PortProxy::bind({{Protocol::tcp, "127.0.0.1", 0, peer_, kTcpPort},
                                  {Protocol::udp, "127.0.0.1", 0, peer_, kUdpPort},
                                  {Protocol::tcp, "127.0.0.1", 0, peer_, kClosedPort}},
                                 {.udp_idle_timeout = std::chrono::milliseconds(300)});
    ASSERT_TRUE(proxy) << proxy.error().message();
    proxy_ = std::move(*proxy);
    tcp_port_ = proxy_->forwards()[0].host_port;
    udp_port_ = proxy_->forwards()[1].host_port;
    closed_port_ = proxy_->forwards()[2].host_port;
    runner_ = std::thread([this] { EXPECT_TRUE(proxy_->run()); });
  }

  void TearDown() override {
    if (proxy_) proxy_->stop();
    if (runner_.joinable()) runner_.join();
    proxy_.reset();
    servers_.clear();  // kills and reaps them
    BridgedNetnsTest::TearDown();
  }

  void start_server(const std::function<bool(int)>& serve) {
    auto ready = util::Pipe::make();
    ASSERT_TRUE(ready);
    auto server = net::testing::spawn_in_netns(netns_fd(), [&] { return serve(ready->write.get()); }, 60);
    ASSERT_TRUE(server) << server.error().message();
    ready->write.reset();
    char byte;
    auto got = util::read_exact(ready->read.get(), &byte, 1);
    ASSERT_TRUE(got && *got) << "server in the namespace did not start";
    servers_.push_back(std::move(*server));
  }

  std::vector<util::ChildProcess> servers_;
  std::unique_ptr<PortProxy> proxy_;
  std::thread runner_;
  uint16_t tcp_port_ = 0, udp_port_ = 0, closed_port_ = 0;
};

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

TEST_F(ProxyTest, TcpBytesRoundTripAndHalfCloseReachesTheTarget) {
  auto fd = net::testing::connect_tcp(kLoopback, tcp_port_);
  ASSERT_TRUE(fd);
  const std::string data = random_bytes(4 << 20, 1);
  // The writer runs beside the reader: 4 MiB do not fit in the socket buffers along the way.
  std::thread writer([&] {
    EXPECT_TRUE(net::testing::send_all(fd.get(), data));
    ::shutdown(fd.get(), SHUT_WR);  // half-close: the echo server then says "bye" and closes
  });
  std::string back = net::testing::read_until_eof(fd.get());
  writer.join();
  ASSERT_EQ(back.size(), data.size() + 3);
  EXPECT_TRUE(back.compare(0, data.size(), data) == 0) << "bytes changed on the way";
  EXPECT_EQ(back.substr(data.size()), net::testing::kAfterHalfClose);
}

// As docker publishes: no address is every address of both families (one dual-stack socket), an
// IPv6 one is that address alone. Only loopback is dialled.
TEST_F(ProxyTest, AnAddresslessForwardTakesBothFamiliesAndAnIpv6OneItsOwn) {
  auto proxy = PortProxy::bind({{Protocol::tcp, "", 0, peer_, kTcpPort},
                                {Protocol::tcp, "::1", 0, peer_, kTcpPort},
                                {Protocol::udp, "", 0, peer_, kUdpPort}});
  ASSERT_TRUE(proxy) << proxy.error().message();
  const auto forwards = (*proxy)->forwards();
  EXPECT_EQ(forwards[0].host_ip, "");
  EXPECT_EQ(forwards[1].host_ip, "::1");
  std::thread runner([&] { EXPECT_TRUE((*proxy)->run()); });
  auto round_trip = [](util::UniqueFd fd, const std::string& data) {
    if (!fd || !net::testing::send_all(fd.get(), data)) return std::string("(not connected)");
    ::shutdown(fd.get(), SHUT_WR);
    return net::testing::read_until_eof(fd.get());
  };
  const std::string echoed = std::string("both") + net::testing::kAfterHalfClose;
  EXPECT_EQ(round_trip(net::testing::connect_tcp(kLoopback, forwards[0].host_port), "both"), echoed);
  EXPECT_EQ(round_trip(net::testing::connect_ipv6_loopback(SOCK_STREAM, forwards[0].host_port), "both"), echoed);
  EXPECT_EQ(round_trip(net::testing::connect_ipv6_loopback(SOCK_STREAM, forwards[1].host_port), "both"), echoed);
  EXPECT_FALSE(net::testing::connect_tcp(kLoopback, forwards[1].host_port, 1)) << "[::1] alone, not 127.0.0.1";
  auto udp = net::testing::connect_ipv6_loopback(SOCK_DGRAM, forwards[2].host_port);
  ASSERT_TRUE(udp);
  ASSERT_EQ(::send(udp.get(), "ping", 4, 0), 4);
  char reply[16] = {};
  EXPECT_EQ(::recv(udp.get(), reply, sizeof reply, 0), 4) << "the UDP reply goes back to an IPv6 client";
  (*proxy)->stop();
  runner.join();
}

TEST_F(ProxyTest, ManyConcurrentConnections) {
  constexpr int kConnections = 200;
  std::vector<util::UniqueFd> fds;
  for (int i = 0; i < kConnections; ++i) {
    fds.push_back(net::testing::connect_tcp(kLoopback, tcp_port_));
    ASSERT_TRUE(fds.back()) << "connection " << i;
  }
  for (int i = 0; i < kConnections; ++i) {
    ASSERT_TRUE(net::testing::send_all(fds[i].get(), "conn-" + std::to_string(i)));
  }
  for (int i = 0; i < kConnections; ++i) {
    const std::string want = "conn-" + std::to_string(i);
    EXPECT_EQ(net::testing::read_n(fds[i].get(), want.size()), want);
    ::shutdown(fds[i].get(), SHUT_WR);
    EXPECT_EQ(net::testing::read_until_eof(fds[i].get()), net::testing::kAfterHalfClose);
  }
}

TEST_F(ProxyTest, UnreachableTargetClosesTheClient) {
  auto fd = net::testing::connect_tcp(kLoopback, closed_port_, 5);
  ASSERT_TRUE(fd);
  char byte;
  EXPECT_EQ(::recv(fd.get(), &byte, 1, 0), 0) << "expected end of file, not a timeout";
}

TEST_F(ProxyTest, UdpRoundTripKeepsClientsApart) {
  auto a = net::testing::connect_udp(kLoopback, udp_port_);
  auto b = net::testing::connect_udp(kLoopback, udp_port_);
  ASSERT_TRUE(a && b);
  for (int round = 0; round < 3; ++round) {
    const std::string ma = "from-a-" + std::to_string(round), mb = "from-b-" + std::to_string(round);
    ASSERT_EQ(::send(a.get(), ma.data(), ma.size(), 0), static_cast<ssize_t>(ma.size()));
    ASSERT_EQ(::send(b.get(), mb.data(), mb.size(), 0), static_cast<ssize_t>(mb.size()));
    char buf[256];
    ssize_t n = ::recv(a.get(), buf, sizeof buf, 0);
    EXPECT_EQ(std::string(buf, std::max<ssize_t>(n, 0)), ma);
    n = ::recv(b.get(), buf, sizeof buf, 0);
    EXPECT_EQ(std::string(buf, std::max<ssize_t>(n, 0)), mb);
    // Past the idle timeout the session is dropped; the next datagram makes a new one.
    std::this_thread::sleep_for(std::chrono::milliseconds(round == 1 ? 700 : 0));
  }
}

TEST_F(ProxyTest, BindErrorIsOneLineNamingTheAddress) {
  auto again = PortProxy::bind({{Protocol::tcp, "127.0.0.1", tcp_port_, peer_, kTcpPort}});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message(),
            "bind 127.0.0.1:" + std::to_string(tcp_port_) + "/tcp: Address already in use");
  auto udp = PortProxy::bind({{Protocol::udp, "127.0.0.1", udp_port_, peer_, kUdpPort}});
  ASSERT_FALSE(udp);
  EXPECT_THAT(udp.error().message(), HasSubstr("/udp: Address already in use"));
}

TEST_F(ProxyTest, StopFdEndsRun) {
  auto other = PortProxy::bind({{Protocol::tcp, "127.0.0.1", 0, peer_, kTcpPort}});
  ASSERT_TRUE(other);
  auto stop = util::Pipe::make();
  ASSERT_TRUE(stop);
  std::thread runner([&] { EXPECT_TRUE((*other)->run(stop->read.get())); });
  ASSERT_TRUE(util::write_all(stop->write.get(), "x"));
  runner.join();  // returns: the test would hang otherwise
}

}  // namespace
}  // namespace stack::net::proxy
