// Root tests of src/net against the real kernel: links, addresses, routes through libnl, two
// containers' namespaces attached to one bridge talking TCP, and nothing left behind.
// Traffic goes only between addresses inside namespaces that the test itself created.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "net/host.hpp"
#include "net/naming.hpp"
#include "net/netlink_network.hpp"
#include "net/netns.hpp"
#include "net/nl/address.hpp"
#include "net/nl/link.hpp"
#include "net/nl/route.hpp"
#include "net_test_support.hpp"
#include "test_tag.hpp"

namespace stack::net {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using testing::NetnsHolder;
using util::Errc;

constexpr uint16_t kPort = 18080;

// Inside the container: eth0 with address, MAC and MTU, lo up, default route via the gateway.
void expect_container_side(int netns_fd, const Attachment& a) {
  auto inside = in_netns(netns_fd, [&]() -> util::Result<void> {
    STACK_ASSIGN_OR_RETURN(auto eth0, nl::find_link("eth0"));
    EXPECT_TRUE(eth0.has_value());
    if (!eth0) return util::ok();
    EXPECT_TRUE(eth0->up);
    EXPECT_EQ(eth0->mac, *a.mac);
    EXPECT_EQ(eth0->mtu, 1400u);
    STACK_ASSIGN_OR_RETURN(auto lo, nl::find_link("lo"));
    EXPECT_TRUE(lo && lo->up);
    STACK_ASSIGN_OR_RETURN(auto addresses, nl::list_addresses("eth0"));
    EXPECT_THAT(addresses, Contains(nl::AddressInfo{eth0->index, "eth0", a.address}));
    STACK_ASSIGN_OR_RETURN(auto routes, nl::list_routes());
    EXPECT_THAT(routes, Contains(nl::RouteInfo{Subnet{}, a.gateway, eth0->index, 254}));
    return util::ok();
  });
  ASSERT_TRUE(inside.has_value()) << inside.error().message();
}

// A TCP exchange from the client's netns to a server in the server's netns, across the bridge.
void expect_tcp(int server_netns, int client_netns, Ipv4 address) {
  auto ready = util::Pipe::make();
  ASSERT_TRUE(ready.has_value());
  auto server = testing::spawn_tcp_server(server_netns, address, kPort, ready->write.get());
  ASSERT_TRUE(server.has_value());
  ready->write.reset();  // so that a server that dies before listening gives end of file
  char byte;
  ASSERT_TRUE(*util::read_exact(ready->read.get(), &byte, 1)) << "server did not start";
  auto client = testing::spawn_tcp_client(client_netns, address, kPort);
  ASSERT_TRUE(client.has_value());
  EXPECT_TRUE(client->wait()->success()) << "client could not talk to the server";
  EXPECT_TRUE(server->wait()->success()) << "server did not get its ping";
}

class NetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "integration tests run as root";
    tag_ = testing::unique_test_tag("itest-");
    auto picked = testing::pick_test_subnet(tag_);
    ASSERT_TRUE(picked.has_value()) << picked.error().message();
    subnet_ = *picked;
    network_ = tag_ + "_net";
    spec_ = {network_, bridge_name(network_), {testing::host(subnet_, 1), 24}, 1400};
  }

  // Everything this test may have created, by exact name; then the check that it is gone.
  void TearDown() override {
    for (const std::string& name : links_) (void)nl::remove_link(name);
    for (auto& holder : holders_) holder.release();
    for (const std::string& name : named_netns_)
      if (std::filesystem::exists("/run/netns/" + name)) testing::run("ip netns del " + name);
    for (const std::string& name : links_) {
      auto link = nl::find_link(name);
      ASSERT_TRUE(link.has_value());
      EXPECT_FALSE(link->has_value()) << "left behind: link " << name;
    }
    for (const std::string& name : named_netns_)
      EXPECT_FALSE(std::filesystem::exists("/run/netns/" + name)) << "left behind: netns " << name;
  }

  Attachment attachment(const std::string& container, uint32_t offset) {
    Attachment a;
    a.bridge = spec_.bridge;
    a.host_veth = host_veth_name(tag_ + container, network_);
    a.address = {testing::host(subnet_, offset), 24};
    a.gateway = testing::host(subnet_, 1);
    a.mac = mac_for_address(a.address.address);
    a.mtu = 1400;
    links_.push_back(a.host_veth);
    links_.push_back(peer_of_host_veth(a.host_veth));
    return a;
  }

  NetnsHolder& new_holder() {
    auto holder = NetnsHolder::spawn();
    EXPECT_TRUE(holder.has_value()) << holder.error().message();
    holders_.push_back(std::move(*holder));
    return holders_.back();
  }

  std::string tag_, network_;
  Subnet subnet_;
  NetworkSpec spec_;
  std::vector<std::string> links_;
  std::vector<std::string> named_netns_;
  std::vector<NetnsHolder> holders_;
};

TEST_F(NetworkTest, BridgeAndVethPrimitivesAreIdempotent) {
  const std::string bridge = spec_.bridge;
  const std::string veth = host_veth_name(tag_, network_), peer = peer_of_host_veth(veth);
  links_ = {bridge, veth, peer};
  EXPECT_TRUE(*nl::create_bridge(bridge, 1400));
  EXPECT_FALSE(*nl::create_bridge(bridge, 1400));
  auto link = nl::find_link(bridge);
  ASSERT_TRUE(link.has_value() && link->has_value());
  EXPECT_EQ((*link)->kind, "bridge");
  EXPECT_EQ((*link)->mtu, 1400u);
  EXPECT_FALSE((*link)->up);

  const Ipv4Interface gateway{testing::host(subnet_, 1), 24};
  EXPECT_TRUE(*nl::add_address(bridge, gateway));
  EXPECT_FALSE(*nl::add_address(bridge, gateway));
  auto addresses = nl::list_addresses(bridge);
  ASSERT_TRUE(addresses.has_value());
  EXPECT_THAT(*addresses, Contains(nl::AddressInfo{(*link)->index, bridge, gateway}));

  EXPECT_TRUE(*nl::create_veth(veth, peer, 1400));
  EXPECT_FALSE(*nl::create_veth(veth, peer, 1400));
  auto taken = nl::create_bridge(veth);
  ASSERT_FALSE(taken.has_value());
  EXPECT_EQ(taken.error().code(), Errc::conflict);
  ASSERT_TRUE(nl::set_master(veth, bridge).has_value());
  ASSERT_TRUE(nl::set_up(veth).has_value());
  auto port = nl::find_link(veth);
  EXPECT_EQ((*port)->master, (*link)->index);
  EXPECT_TRUE((*port)->up);
  EXPECT_EQ((*port)->mtu, 1400u);

  // Removing one end removes the pair.
  EXPECT_TRUE(*nl::remove_link(veth));
  EXPECT_FALSE(nl::find_link(peer)->has_value());
  EXPECT_FALSE(*nl::remove_link(veth));
  EXPECT_TRUE(*nl::remove_address(bridge, gateway));
  EXPECT_FALSE(*nl::remove_address(bridge, gateway));
  EXPECT_TRUE(*nl::remove_link(bridge));
  EXPECT_FALSE(*nl::remove_link(bridge));
  auto missing = nl::set_up(bridge);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), Errc::not_found);
}

TEST_F(NetworkTest, EnsureBridgeConvergesAndHostViewSeesIt) {
  links_ = {spec_.bridge};
  auto network = make_netlink_network();
  auto first = network->ensure_bridge(spec_);
  ASSERT_TRUE(first.has_value()) << first.error().message();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->mtu, 1400u);
  EXPECT_EQ(first->mac, mac_for_address(spec_.gateway.address));
  auto second = network->ensure_bridge(spec_);
  ASSERT_TRUE(second.has_value()) << second.error().message();
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->ifindex, first->ifindex);
  EXPECT_TRUE((*nl::find_link(spec_.bridge))->up);

  auto used = host_used_subnets();
  ASSERT_TRUE(used.has_value());
  EXPECT_THAT(*used, Contains(subnet_));
  auto ignoring = host_used_subnets(spec_.bridge);
  EXPECT_FALSE(std::count(ignoring->begin(), ignoring->end(), subnet_));
  auto routes = nl::list_routes();
  ASSERT_TRUE(routes.has_value());
  EXPECT_TRUE(std::any_of(routes->begin(), routes->end(), [&](const nl::RouteInfo& r) {
    return r.destination == subnet_ && r.ifindex == first->ifindex;
  }));

  EXPECT_FALSE(network->remove_bridge("docker0").has_value());  // never someone else's
  EXPECT_TRUE(*network->remove_bridge(spec_.bridge));
  EXPECT_FALSE(*network->remove_bridge(spec_.bridge));
}

TEST_F(NetworkTest, AttachTwoContainersTheyTalkTcpAndDetachLeavesNothing) {
  links_ = {spec_.bridge};
  auto network = make_netlink_network();
  ASSERT_TRUE(network->ensure_bridge(spec_).has_value());

  // Container A: a process in its own netns, attached by pid.
  NetnsHolder& holder = new_holder();
  const Attachment a = attachment("-a", 2);
  auto attached_a = network->attach_pid(holder.pid(), a);
  ASSERT_TRUE(attached_a.has_value()) << attached_a.error().message();
  auto netns_a = Netns::of_pid(holder.pid());
  ASSERT_TRUE(netns_a.has_value());

  // Container B: a named netns (made with ip(8), the fixture), attached by fd.
  const std::string named = tag_.substr(0, 40);
  named_netns_.push_back(named);
  ASSERT_EQ(testing::run("ip netns add " + named), 0);
  auto netns_b = Netns::open("/run/netns/" + named);
  ASSERT_TRUE(netns_b.has_value());
  const Attachment b = attachment("-b", 3);
  auto attached_b = network->attach(netns_b->fd(), b);
  ASSERT_TRUE(attached_b.has_value()) << attached_b.error().message();

  // Host side: both host ends are up ports of the bridge; no peer is left on the host.
  auto bridge = nl::find_link(spec_.bridge);
  for (const Attachment* at : {&a, &b}) {
    auto port = nl::find_link(at->host_veth);
    ASSERT_TRUE(port.has_value() && port->has_value()) << at->host_veth;
    EXPECT_EQ((*port)->master, (*bridge)->index);
    EXPECT_TRUE((*port)->up);
    EXPECT_FALSE(nl::find_link(peer_of_host_veth(at->host_veth))->has_value());
  }

  expect_container_side(netns_a->fd(), a);
  expect_tcp(netns_a->fd(), netns_b->fd(), a.address.address);

  // Attaching again is refused and does not break the existing attachment.
  auto twice = network->attach(netns_b->fd(), b);
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code(), Errc::already_exists);
  EXPECT_TRUE(nl::find_link(b.host_veth)->has_value());

  // Detach: the host end goes and the container end with it.
  EXPECT_TRUE(*network->detach(a.host_veth));
  EXPECT_FALSE(*network->detach(a.host_veth));
  auto gone = in_netns(netns_a->fd(), [] { return nl::find_link("eth0"); });
  ASSERT_TRUE(gone.has_value());
  EXPECT_FALSE(gone->has_value());
  EXPECT_TRUE(*network->detach(b.host_veth));
  EXPECT_TRUE(*network->remove_bridge(spec_.bridge));
}

TEST_F(NetworkTest, FailedAttachUndoesItself) {
  links_ = {spec_.bridge};
  auto network = make_netlink_network();
  ASSERT_TRUE(network->ensure_bridge(spec_).has_value());
  NetnsHolder& holder = new_holder();
  Attachment bad = attachment("-bad", 4);
  bad.ifname = "lo";  // exists in every netns: creating the container end there fails
  auto attached = network->attach_pid(holder.pid(), bad);
  ASSERT_FALSE(attached.has_value());
  EXPECT_THAT(attached.error().message(), HasSubstr("'" + bad.host_veth + "'"));
  EXPECT_THAT(attached.error().message(), HasSubstr("File exists"));
  EXPECT_FALSE(nl::find_link(bad.host_veth)->has_value());
  EXPECT_FALSE(nl::find_link(peer_of_host_veth(bad.host_veth))->has_value());

  // A host end left by a crashed run is refused, not taken over; once detached, attach works.
  Attachment good = attachment("-good", 5);
  ASSERT_TRUE(*nl::create_veth(good.host_veth, peer_of_host_veth(good.host_veth)));
  auto refused = network->attach_pid(holder.pid(), good);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), Errc::already_exists);
  EXPECT_TRUE(*network->detach(good.host_veth));
  EXPECT_FALSE(nl::find_link(peer_of_host_veth(good.host_veth))->has_value());
  auto retried = network->attach_pid(holder.pid(), good);
  ASSERT_TRUE(retried.has_value()) << retried.error().message();
  EXPECT_TRUE(*network->detach(good.host_veth));
  EXPECT_TRUE(*network->remove_bridge(spec_.bridge));
}

TEST_F(NetworkTest, InNetnsSeesTheNamespacesOwnSysctlsAndLinks) {
  NetnsHolder& holder = new_holder();
  auto netns = Netns::of_pid(holder.pid());
  ASSERT_TRUE(netns.has_value());
  auto here = Netns::current();
  ASSERT_TRUE(here.has_value());
  EXPECT_NE(*netns->inode(), *here->inode());
  auto seen = in_netns(netns->fd(), [&]() -> util::Result<ino_t> {
    STACK_ASSIGN_OR_RETURN(Netns inside, Netns::current());
    return inside.inode();
  });
  ASSERT_TRUE(seen.has_value()) << seen.error().message();
  EXPECT_EQ(*seen, *netns->inode());

  // ip_forward is per netns: flipping it in the test's own netns leaves the host alone. A new
  // netns copies the host's IPv4 settings, and the masquerade tests turn the host's forwarding on
  // for a while: the namespace's is set off first, and the host's is compared one at a time with
  // them (the lock on their source file).
  int masquerade_lock = ::open(STACK_SOURCE_DIR "/tests/integration/orchestrator/masquerade_test.cpp", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(masquerade_lock, 0);
  ASSERT_EQ(::flock(masquerade_lock, LOCK_EX), 0);
  auto host_before = ip_forward();
  ASSERT_TRUE(host_before.has_value());
  auto flipped = in_netns(netns->fd(), []() -> util::Result<bool> {
    STACK_TRY(set_ip_forward(false));
    STACK_ASSIGN_OR_RETURN(bool changed, set_ip_forward(true));
    STACK_ASSIGN_OR_RETURN(bool again, set_ip_forward(true));
    STACK_ASSIGN_OR_RETURN(bool after, ip_forward());
    return changed && !again && after;
  });
  EXPECT_EQ(*ip_forward(), *host_before);
  ::close(masquerade_lock);
  ASSERT_TRUE(flipped.has_value()) << flipped.error().message();
  EXPECT_TRUE(*flipped);

  // A new netns has only lo, and it is down until loopback_up().
  auto links = in_netns(netns->fd(), [] { return nl::list_links(); });
  ASSERT_TRUE(links.has_value());
  ASSERT_EQ(links->size(), 1u);
  EXPECT_EQ(links->front().name, "lo");
  EXPECT_FALSE(links->front().up);

  auto not_netns = Netns::open("/proc/self/ns/uts");
  ASSERT_TRUE(not_netns.has_value());
  auto refused = in_netns(not_netns->fd(), [] { return nl::list_links(); });
  ASSERT_FALSE(refused.has_value());
  EXPECT_THAT(refused.error().message(), HasSubstr("entering network namespace"));
}

}  // namespace
}  // namespace stack::net
