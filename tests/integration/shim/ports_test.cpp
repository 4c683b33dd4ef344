// Published ports through the real shim: the container joins a namespace the test made, attached
// to a test bridge; the shim's proxy child listens on 127.0.0.1 and forwards to busybox httpd in
// the container. Traffic goes only to loopback and to that namespace.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <sstream>

#include "integration/net/net_test_support.hpp"
#include "integration/net/test_sockets.hpp"
#include "net/naming.hpp"
#include "net/network.hpp"
#include "net/nl/link.hpp"
#include "shim_fixture.hpp"

namespace stack::runtime::shim::testing {
namespace {

using ::testing::HasSubstr;
const util::Ipv4 kLoopback{0x7F000001};
constexpr std::uint16_t kHttpPort = 8080;

// A free port on 127.0.0.1 (bound, read, closed: the proxy takes it a moment later).
std::uint16_t free_loopback_port() {
  std::uint16_t port = 0;
  auto fd = net::testing::listen_tcp(kLoopback, &port);
  return fd ? port : 0;
}

class ShimPortsTest : public ShimTest {
 protected:
  void SetUp() override {
    ShimTest::SetUp();
    if (HasFatalFailure()) return;
    network_ = "shimports-" + std::to_string(::getpid()) + "_net";
    auto subnet = net::testing::pick_test_subnet(network_);
    ASSERT_TRUE(subnet) << subnet.error().message();
    peer_ = net::testing::host(*subnet, 2);
    const util::Ipv4 gateway = net::testing::host(*subnet, 1);
    bridge_ = net::bridge_name(network_);
    ASSERT_TRUE(network_impl_->ensure_bridge({network_, bridge_, {gateway, 24}, 0}));
    auto holder = net::testing::NetnsHolder::spawn();
    ASSERT_TRUE(holder) << holder.error().message();
    holder_.emplace(std::move(*holder));
    net::Attachment a{.bridge = bridge_, .host_veth = net::host_veth_name(network_, network_),
                      .address = {peer_, 24}, .gateway = gateway};
    veth_ = a.host_veth;
    auto attached = network_impl_->attach_pid(holder_->pid(), a);
    ASSERT_TRUE(attached) << attached.error().message();
  }

  void TearDown() override {
    ShimTest::TearDown();  // removes the containers (and with them the proxies)
    if (holder_) holder_->release();
    (void)network_impl_->detach(veth_);
    (void)network_impl_->remove_bridge(bridge_);
    for (const std::string& name : {bridge_, veth_}) {
      auto link = net::nl::find_link(name);
      EXPECT_TRUE(link && !link->has_value()) << "left behind: link " << name;
    }
  }

  ShimConfig httpd_config(const std::string& id, std::uint16_t host_port) const {
    ShimConfig c = config(id, {"/bin/httpd", "-f", "-p", std::to_string(kHttpPort), "-h", "/"});
    c.container.network.mode = NetworkMode::join;
    c.container.network.join_path = "/proc/" + std::to_string(holder_->pid()) + "/ns/net";
    c.ports = {{net::proxy::Protocol::tcp, "127.0.0.1", host_port, peer_, kHttpPort}};
    return c;
  }

  // GET path through the published port, retried while httpd is still starting.
  static std::string http_get(std::uint16_t port, const std::string& path) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto fd = net::testing::connect_tcp(kLoopback, port, 5);
      if (fd && net::testing::send_all(fd.get(), "GET " + path + " HTTP/1.0\r\n\r\n")) {
        std::string reply = net::testing::read_until_eof(fd.get());
        if (!reply.empty()) return reply;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return "";
  }

  std::string network_, bridge_, veth_;
  util::Ipv4 peer_;
  std::unique_ptr<net::Network> network_impl_ = net::make_netlink_network();
  std::optional<net::testing::NetnsHolder> holder_;
};

TEST_F(ShimPortsTest, PublishedPortReachesTheContainerAndGoesWithIt) {
  const std::uint16_t port = free_loopback_port();
  ASSERT_NE(port, 0);
  const std::string id = new_id();
  auto created = runtime_.create(id, httpd_config(id, port));
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_THAT(http_get(port, "/etc/passwd"), HasSubstr("root:"));
  auto removed = runtime_.remove(id);
  ASSERT_TRUE(removed) << removed.error().message();
  // The proxy child is gone with the shim: nothing listens on the port any more.
  EXPECT_FALSE(net::testing::connect_tcp(kLoopback, port, 1)) << "the port proxy outlived its shim";
}

// The shim's children as listed by the kernel (/proc/<pid>/task/<pid>/children).
std::vector<pid_t> children_of(pid_t pid) {
  std::istringstream in(test::read_text("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children"));
  std::vector<pid_t> out;
  for (pid_t child; in >> child;) out.push_back(child);
  return out;
}

std::optional<pid_t> proxy_child_of(pid_t shim) {
  for (pid_t child : children_of(shim)) {
    if (test::read_text("/proc/" + std::to_string(child) + "/comm").rfind("stack-proxy", 0) == 0) return child;
  }
  return std::nullopt;
}

TEST_F(ShimPortsTest, AProxyThatDiesIsStartedAgain) {
  const std::uint16_t port = free_loopback_port();
  ASSERT_NE(port, 0);
  const std::string id = new_id();
  ASSERT_TRUE(runtime_.create(id, httpd_config(id, port)));
  ASSERT_THAT(http_get(port, "/etc/passwd"), HasSubstr("root:"));
  auto state = runtime_.state(id);
  ASSERT_TRUE(state && *state);
  const auto proxy = proxy_child_of((*state)->shim_pid);
  ASSERT_TRUE(proxy) << "no stack-proxy child of the shim";
  ASSERT_EQ(::kill(*proxy, SIGKILL), 0);
  ASSERT_TRUE(wait_gone(*proxy));
  EXPECT_THAT(http_get(port, "/etc/passwd"), HasSubstr("root:")) << "the port stayed closed";
  const auto again = proxy_child_of((*state)->shim_pid);
  ASSERT_TRUE(again);
  EXPECT_NE(*again, *proxy);
}

TEST_F(ShimPortsTest, ProxyDiesWithAKilledShim) {
  const std::uint16_t port = free_loopback_port();
  ASSERT_NE(port, 0);
  const std::string id = new_id();
  ASSERT_TRUE(runtime_.create(id, httpd_config(id, port)));
  auto state = runtime_.state(id);
  ASSERT_TRUE(state && *state);
  const pid_t shim_pid = (*state)->shim_pid;
  ASSERT_GT(shim_pid, 0);
  ASSERT_EQ(::kill(shim_pid, SIGKILL), 0);
  ASSERT_TRUE(wait_gone(shim_pid));
  // PR_SET_PDEATHSIG: the proxy child follows its shim at once.
  bool closed = false;
  for (int i = 0; i < 100 && !closed; ++i) {
    closed = !net::testing::connect_tcp(kLoopback, port, 1);
    if (!closed) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(closed) << "the port proxy outlived its killed shim";
}

TEST_F(ShimPortsTest, PortInUseIsTheCreateError) {
  std::uint16_t port = 0;
  auto taken = net::testing::listen_tcp(kLoopback, &port);
  ASSERT_TRUE(taken);
  const std::string id = new_id();
  auto created = runtime_.create(id, httpd_config(id, port));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().message(), "bind 127.0.0.1:" + std::to_string(port) + "/tcp: Address already in use");
  EXPECT_TRUE(cgroup_dirs(id).empty());
}

TEST_F(ShimPortsTest, AHostRangeTakesItsFirstFreePortAndTheStateSaysWhich) {
  std::uint16_t taken_port = 0;
  auto taken = net::testing::listen_tcp(kLoopback, &taken_port);
  ASSERT_TRUE(taken);
  ASSERT_LT(taken_port, 65000);
  const std::string id = new_id();
  ShimConfig c = httpd_config(id, taken_port);
  c.ports[0].host_port_last = static_cast<std::uint16_t>(taken_port + 20);
  auto created = runtime_.create(id, c);
  ASSERT_TRUE(created) << created.error().message();
  auto state = runtime_.state(id);
  ASSERT_TRUE(state && *state);
  ASSERT_EQ((*state)->ports.size(), 1u);
  const net::proxy::Forward bound = (*state)->ports[0];
  EXPECT_GT(bound.host_port, taken_port);
  EXPECT_LE(bound.host_port, taken_port + 20);
  EXPECT_EQ(bound.host_port_last, 0);
  EXPECT_THAT(http_get(bound.host_port, "/etc/passwd"), HasSubstr("root:"));
}

}  // namespace
}  // namespace stack::runtime::shim::testing
