// The build network's pure parts (pool, subnet choice, names, resolv.conf) and its life on a fake
// host that records the calls: what is made, in which order, with which rules, what a failure
// undoes and what the sweep of a killed build's record removes. No root: the locks and records
// live in a temporary directory.
#include "build/build_network.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "net/naming.hpp"
#include "support/rootfs.hpp"

namespace stack::build {
namespace {

namespace fs = std::filesystem;

net::Subnet subnet_of(const std::string& text) { return *net::Subnet::parse(text); }

class RecordingBuildHost final : public BuildHost {
 public:
  util::Result<std::vector<net::Subnet>> used_subnets() override { return used; }
  util::Result<void> ensure_bridge(const net::NetworkSpec& spec) override {
    calls.push_back("ensure_bridge " + spec.bridge + " " + spec.gateway.str());
    if (fail_bridge) return util::fail(util::Errc::io, "netlink: Operation not permitted");
    return util::ok();
  }
  util::Result<bool> remove_bridge(const std::string& bridge) override {
    calls.push_back("remove_bridge " + bridge);
    return true;
  }
  util::Result<void> ensure_firewall(const net::FirewallRules& rules) override {
    calls.push_back("ensure_firewall " + rules.bridge + " " + rules.subnet.str() + (rules.masquerade ? " masquerade" : ""));
    last_rules = rules;
    if (fail_firewall) return util::fail(util::Errc::io, "nftables: Operation not supported");
    return util::ok();
  }
  util::Result<bool> remove_firewall(const std::string& bridge) override {
    calls.push_back("remove_firewall " + bridge);
    return true;
  }

  std::vector<net::Subnet> used;
  std::vector<std::string> calls;
  net::FirewallRules last_rules;
  bool fail_bridge = false;
  bool fail_firewall = false;
};

TEST(BuildPoolTest, ParsesAndSplitsIntoSlash24s) {
  auto pool = parse_build_pool(kDefaultBuildPool);
  ASSERT_TRUE(pool) << pool.error().message();
  EXPECT_EQ(pool->base.str(), "10.10.0.0/16");
  EXPECT_EQ(pool->size, 24);
  auto small = parse_build_pool("10.231.6.0/28");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->size, 28);
}

TEST(BuildPoolTest, RefusesBadInputInOneLine) {
  auto bad = parse_build_pool("10.231.6.1/24");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("build pool '10.231.6.1/24'"), std::string::npos) << bad.error().message();
  EXPECT_FALSE(parse_build_pool("nonsense"));
  auto tiny = parse_build_pool("10.231.6.0/31");
  ASSERT_FALSE(tiny);
  EXPECT_NE(tiny.error().message().find("too small"), std::string::npos);
}

TEST(BuildSubnetTest, SkipsTheHostsRoutesAndAddresses) {
  auto pool = *parse_build_pool("10.231.6.0/23");
  auto first = select_build_subnet(pool, {});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->str(), "10.231.6.0/24");
  auto next = select_build_subnet(pool, {subnet_of("10.231.6.128/25"), net::Subnet{net::Ipv4{0}, 0}});
  ASSERT_TRUE(next);
  EXPECT_EQ(next->str(), "10.231.7.0/24") << "a default route blocks nothing";
  EXPECT_FALSE(select_build_subnet(pool, {subnet_of("10.231.6.0/24"), subnet_of("10.231.7.1/32")}));
}

TEST(BuildSubnetTest, NoneFreeIsAClearConflict) {
  auto pool = *parse_build_pool("10.231.6.0/23");
  auto none = select_build_subnet(pool, {subnet_of("10.231.0.0/16")});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), util::Errc::conflict);
  EXPECT_NE(none.error().message().find("no free subnet for the build network in '10.231.6.0/23'"), std::string::npos)
      << none.error().message();
  EXPECT_NE(none.error().message().find("STACK_BUILD_POOL"), std::string::npos);
}

TEST(BuildBridgeNameTest, IsAStackBridgeNamePerRootAndSubnet) {
  std::string a = build_bridge_name("/var/lib/stack", subnet_of("10.10.0.0/24"));
  EXPECT_TRUE(net::is_bridge_name(a)) << a;
  EXPECT_EQ(a, build_bridge_name("/var/lib/stack", subnet_of("10.10.0.0/24")));
  EXPECT_NE(a, build_bridge_name("/var/lib/stack", subnet_of("10.10.1.0/24")));
  EXPECT_NE(a, build_bridge_name("/srv/stack", subnet_of("10.10.0.0/24")));
  EXPECT_NE(a, net::bridge_name("_build")) << "never a project network's name";
}

TEST(BuildResolvConfTest, DropsLoopbackAndIpv6Nameservers) {
  EXPECT_EQ(build_resolv_conf("# generated\nnameserver 127.0.0.53\nnameserver 192.0.2.53\nnameserver ::1\n"
                              "nameserver 2001:db8::53\nsearch example.test\noptions edns0 trust-ad\n"),
            "# generated\nnameserver 192.0.2.53\nsearch example.test\noptions edns0 trust-ad\n");
  EXPECT_EQ(build_resolv_conf("nameserver\t127.0.0.1\n  nameserver 10.0.0.2"), "  nameserver 10.0.0.2\n")
      << "tabs, leading blanks, a last line without a newline: kept lines are kept as they are";
}

TEST(BuildResolvConfTest, SystemdResolvedStubAloneIsRecognised) {
  EXPECT_TRUE(names_only_resolved_stub("# stub\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n"));
  EXPECT_FALSE(names_only_resolved_stub("nameserver 127.0.0.53\nnameserver 192.0.2.53\n"));
  EXPECT_FALSE(names_only_resolved_stub("nameserver 127.0.0.1\n"));
  EXPECT_FALSE(names_only_resolved_stub("options edns0\n"));
}

TEST(BuildResolvConfTest, NothingLeftMeansNoNameserver) {
  EXPECT_EQ(build_resolv_conf("nameserver 127.0.0.53\noptions edns0\n"), "options edns0\n");
  EXPECT_EQ(build_resolv_conf(""), "");
}

class BuildNetworkTest : public testing::Test {
 protected:
  BuildNetworkOptions options(const std::string& pool, bool masquerade) const {
    return {tmp_ / "root", pool, masquerade, tmp_ / "run"};
  }
  std::vector<std::string> records() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::directory_iterator it(tmp_ / "root/build-net", ec), end; !ec && it != end; it.increment(ec)) {
      out.push_back(it->path().filename());
    }
    return out;
  }

  test::TempDir tmp_{"stack-bnet"};
  RecordingBuildHost host_;
};

TEST_F(BuildNetworkTest, MakesBridgeThenMasqueradingTableAndRemovesBothInReverse) {
  host_.used = {subnet_of("10.231.6.0/24")};
  std::string bridge;
  {
    auto network = BuildNetwork::create(host_, options("10.231.6.0/23", true));
    ASSERT_TRUE(network) << network.error().message();
    bridge = network->bridge();
    EXPECT_EQ(network->subnet().str(), "10.231.7.0/24");
    EXPECT_EQ(network->gateway().str(), "10.231.7.1");
    EXPECT_EQ(bridge, build_bridge_name((tmp_ / "root"), subnet_of("10.231.7.0/24")));
    EXPECT_EQ(host_.calls, (std::vector<std::string>{"ensure_bridge " + bridge + " 10.231.7.1/24",
                                                      "ensure_firewall " + bridge + " 10.231.7.0/24 masquerade"}));
    // The masquerade rule the table holds: the build subnet leaving by any other interface.
    EXPECT_NE(net::firewall_script(host_.last_rules).find("ip saddr 10.231.7.0/24 oifname != \"" + bridge + "\" masquerade"),
              std::string::npos);
    EXPECT_EQ(records(), std::vector<std::string>{bridge + ".lock"});
    EXPECT_FALSE(fs::exists(tmp_ / "run/build-subnet.lock")) << "the host-wide lock is held only while choosing";

    net::Attachment a = network->attachment("build-0123456789ab");
    EXPECT_EQ(a.bridge, bridge);
    EXPECT_EQ(a.address.str(), "10.231.7.2/24");
    EXPECT_EQ(a.gateway.str(), "10.231.7.1");
    EXPECT_TRUE(a.default_route);
    EXPECT_EQ(a.ifname, "eth0");
    EXPECT_EQ(a.host_veth, net::host_veth_name("build-0123456789ab", "_build"));
    host_.calls.clear();
  }
  EXPECT_EQ(host_.calls, (std::vector<std::string>{"remove_firewall " + bridge, "remove_bridge " + bridge}));
  EXPECT_TRUE(records().empty());
  EXPECT_FALSE(fs::exists(tmp_ / "root/build-net")) << "the records' directory goes with the last one";
}

TEST_F(BuildNetworkTest, WithoutIpMasqTheTableOnlyIsolates) {
  auto network = BuildNetwork::create(host_, options("10.231.8.0/24", false));
  ASSERT_TRUE(network) << network.error().message();
  EXPECT_FALSE(host_.last_rules.masquerade);
  EXPECT_EQ(net::firewall_script(host_.last_rules).find("masquerade"), std::string::npos);
}

TEST_F(BuildNetworkTest, AFailedTableUndoesTheBridgeAndTheRecord) {
  host_.fail_firewall = true;
  auto network = BuildNetwork::create(host_, options("10.231.8.0/24", true));
  ASSERT_FALSE(network);
  std::string bridge = build_bridge_name(tmp_ / "root", subnet_of("10.231.8.0/24"));
  EXPECT_EQ(network.error().message(),
            "build network '" + bridge + "' (10.231.8.0/24): nftables: Operation not supported");
  EXPECT_EQ(host_.calls.back(), "remove_bridge " + bridge);
  EXPECT_TRUE(records().empty());
}

TEST_F(BuildNetworkTest, NoFreeSubnetMakesNothing) {
  host_.used = {subnet_of("10.231.8.0/24")};
  auto network = BuildNetwork::create(host_, options("10.231.8.0/24", true));
  ASSERT_FALSE(network);
  EXPECT_TRUE(host_.calls.empty());
  EXPECT_TRUE(records().empty());
}

TEST_F(BuildNetworkTest, TheSweepRemovesOnlyWhatDeadBuildsLeft) {
  auto live = BuildNetwork::create(host_, options("10.231.8.0/24", false));
  ASSERT_TRUE(live) << live.error().message();
  // A killed build's record: its lock file, held by nobody.
  std::string dead = net::bridge_name("a dead build");
  ASSERT_TRUE(test::write_text(tmp_ / ("root/build-net/" + dead + ".lock"), ""));
  host_.calls.clear();
  remove_stale_build_networks(host_, tmp_ / "root", tmp_ / "run");
  EXPECT_EQ(host_.calls, (std::vector<std::string>{"remove_firewall " + dead, "remove_bridge " + dead}));
  EXPECT_EQ(records(), std::vector<std::string>{live->bridge() + ".lock"});
  EXPECT_FALSE(fs::exists(tmp_ / "run/build-subnet.lock"));
}

}  // namespace
}  // namespace stack::build
