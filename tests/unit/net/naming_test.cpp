#include "net/naming.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

namespace stack::net {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(Sha256Hex, MatchesKnownVectorAndTruncates) {
  // FIPS 180-2 test vector for "abc".
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abc", 10), "ba7816bf8f");
  EXPECT_EQ(sha256_hex("abc", 100).size(), 64u);
}

TEST(BridgeName, IsPrefixedHashOfTheFullName) {
  EXPECT_EQ(bridge_name("abc"), "stk-ba7816bf");
  EXPECT_EQ(bridge_name("demo_default"), bridge_name("demo_default"));
  EXPECT_NE(bridge_name("demo_default"), bridge_name("demo_backend"));
  EXPECT_LE(bridge_name("a-very-long-project-name_with-a-very-long-network-name").size(),
            kMaxIfnameLength);
  EXPECT_TRUE(is_bridge_name(bridge_name("demo_default")));
}

TEST(VethName, HashesContainerAndNetworkWithSeparator) {
  // sha256("c1\0net") starts with edbe584c77.
  EXPECT_EQ(host_veth_name("c1", "net"), "stvedbe584c77");
  EXPECT_EQ(peer_veth_name("c1", "net"), "stpedbe584c77");
  // The NUL separator keeps ("ab","c") and ("a","bc") apart.
  EXPECT_NE(host_veth_name("ab", "c"), host_veth_name("a", "bc"));
  EXPECT_NE(host_veth_name("c1", "net1"), host_veth_name("c1", "net2"));
  EXPECT_EQ(host_veth_name("c1", "net").size(), 13u);
}

TEST(Naming, AllNamesFitAndAreUniqueOverManyInputs) {
  std::set<std::string> bridges, veths;
  for (int i = 0; i < 4000; ++i) {
    const std::string network = "project" + std::to_string(i) + "_default";
    const std::string bridge = bridge_name(network);
    EXPECT_LE(bridge.size(), kMaxIfnameLength);
    EXPECT_TRUE(check_ifname(bridge).has_value());
    bridges.insert(bridge);
    for (const char* net : {"front", "back"}) {
      const std::string veth = host_veth_name("container-" + std::to_string(i), net);
      EXPECT_LE(veth.size(), kMaxIfnameLength);
      veths.insert(veth);
    }
  }
  EXPECT_EQ(bridges.size(), 4000u);
  EXPECT_EQ(veths.size(), 8000u);
}

TEST(Naming, RecognisesOnlyItsOwnShapes) {
  EXPECT_TRUE(is_host_veth_name("stv0123456789"));
  EXPECT_TRUE(is_peer_veth_name("stpabcdefabcd"));
  EXPECT_FALSE(is_host_veth_name("stv012345678"));   // too short
  EXPECT_FALSE(is_host_veth_name("stv012345678A"));  // upper case is not ours
  EXPECT_FALSE(is_host_veth_name("veth0123456789"));
  EXPECT_FALSE(is_bridge_name("stk-0123456g"));
  EXPECT_FALSE(is_bridge_name("docker0"));
  EXPECT_EQ(peer_of_host_veth("stv0123456789"), "stp0123456789");
  EXPECT_EQ(peer_of_host_veth("eth0"), "");
}

TEST(CheckIfname, FollowsTheKernelRules) {
  EXPECT_TRUE(check_ifname("eth0").has_value());
  EXPECT_TRUE(check_ifname("123456789012345").has_value());
  EXPECT_THAT(check_ifname("1234567890123456").error().message(), HasSubstr("longer than 15"));
  EXPECT_FALSE(check_ifname("").has_value());
  EXPECT_FALSE(check_ifname("..").has_value());
  EXPECT_FALSE(check_ifname("a/b").has_value());
  EXPECT_FALSE(check_ifname("a:b").has_value());
  EXPECT_FALSE(check_ifname("a b").has_value());
}

TEST(CheckNetworkName, FollowsComposeRulesAndKeepsPathsSafe) {
  EXPECT_TRUE(check_network_name("demo_default").has_value());
  EXPECT_TRUE(check_network_name("a.b-c_1").has_value());
  EXPECT_FALSE(check_network_name("").has_value());
  EXPECT_FALSE(check_network_name("../etc").has_value());
  EXPECT_FALSE(check_network_name(".hidden").has_value());
  EXPECT_FALSE(check_network_name("a/b").has_value());
  EXPECT_THAT(check_network_name("-x").error().message(), HasSubstr("'-x'"));
  EXPECT_FALSE(check_network_name(std::string(256, 'a')).has_value());
}

TEST(MacForAddress, IsLocallyAdministeredAndDerivedFromTheAddress) {
  EXPECT_EQ(mac_for_address(Ipv4{(172u << 24) | (17u << 16) | 2u}), "02:73:ac:11:00:02");
  EXPECT_THAT(mac_for_address(Ipv4{0x0a000001}), StartsWith("02:"));
  EXPECT_NE(mac_for_address(Ipv4{0x0a000001}), mac_for_address(Ipv4{0x0a000002}));
}

}  // namespace
}  // namespace stack::net
