// The IPv6 half of IPAM: planning, the request check, allocation in step with IPv4 (both or
// neither), O(allocations) lowest-free on a /64, and the file codec.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "net/ipam.hpp"
#include "net/ipam_store.hpp"
#include "support/addresses.hpp"

namespace stack::net {
namespace {

using ::stack::test::ip;
using ::stack::test::ip6;
using ::stack::test::subnet;
using ::stack::test::subnet6;
using ::testing::HasSubstr;

SubnetRequest dual_stack(const char* v6 = "fd5c:231:59::/64") {
  SubnetRequest r;
  r.subnet = subnet("10.231.59.0/24");
  r.v6 = SubnetRequest6{subnet6(v6), std::nullopt, std::nullopt, {}};
  return r;
}

IpamNetwork planned6(const SubnetRequest& r) { return plan_network("demo_v6", r, IpamContext{}).value(); }

TEST(Ipam6, PlansGatewayAsFirstHost) {
  IpamNetwork n = planned6(dual_stack());
  ASSERT_TRUE(n.v6);
  EXPECT_EQ(n.v6->gateway, ip6("fd5c:231:59::1"));
  EXPECT_EQ(n.v6->gateway_interface().str(), "fd5c:231:59::1/64");
  EXPECT_FALSE(planned6(SubnetRequest{}).v6);
}

TEST(Ipam6, RefusesOverlapsAndBadGateways) {
  IpamContext host;
  host.host_used6 = {subnet6("fd00::/64"), subnet6("::/0")};
  auto over_host = plan_network("demo_v6", dual_stack("fd00::/64"), host);
  ASSERT_FALSE(over_host);
  EXPECT_THAT(over_host.error().message(), HasSubstr("overlaps the host's route or address 'fd00::/64'"));
  IpamContext other;
  other.taken6 = {subnet6("fd5c:231::/32")};
  auto over_other = plan_network("demo_v6", dual_stack(), other);
  ASSERT_FALSE(over_other);
  EXPECT_THAT(over_other.error().message(), HasSubstr("overlaps another network's subnet 'fd5c:231::/32'"));
  SubnetRequest anycast = dual_stack();
  anycast.v6->gateway = ip6("fd5c:231:59::");
  EXPECT_THAT(plan_network("demo_v6", anycast, IpamContext{}).error().message(), HasSubstr("subnet-router address"));
  EXPECT_TRUE(plan_network("demo_v6", dual_stack(), host));  // ::/0 blocks nothing
}

TEST(Ipam6, AllocatesInStepWithIpv4) {
  IpamNetwork n = planned6(dual_stack());
  ASSERT_EQ(allocate(n, "a").value(), ip("10.231.59.2"));
  ASSERT_TRUE(allocate(n, "b"));
  EXPECT_EQ(n.v6->allocations.at("a"), ip6("fd5c:231:59::2"));
  EXPECT_EQ(n.v6->allocations.at("b"), ip6("fd5c:231:59::3"));
  EXPECT_TRUE(allocate(n, "a"));  // again: the same addresses
  EXPECT_EQ(n.v6->allocations.at("a"), ip6("fd5c:231:59::2"));
  EXPECT_TRUE(release(n, "a"));
  EXPECT_FALSE(n.v6->allocations.contains("a"));
  ASSERT_TRUE(allocate(n, "c"));
  EXPECT_EQ(n.v6->allocations.at("c"), ip6("fd5c:231:59::2"));  // the lowest free again
}

TEST(Ipam6, RequestedAddressIsCheckedAndBothOrNeither) {
  IpamNetwork n = planned6(dual_stack());
  ASSERT_TRUE(allocate(n, "a", std::nullopt, ip6("fd5c:231:59::99")));
  EXPECT_EQ(n.v6->allocations.at("a"), ip6("fd5c:231:59::99"));
  const IpamNetwork before = n;
  auto taken = allocate(n, "b", std::nullopt, ip6("fd5c:231:59::99"));
  ASSERT_FALSE(taken);
  EXPECT_THAT(taken.error().message(), HasSubstr("is already used by 'a'"));
  EXPECT_EQ(n, before);  // no v4 address for b either
  EXPECT_THAT(allocate(n, "b", std::nullopt, ip6("fd5d::1")).error().message(), HasSubstr("is not in subnet"));
  EXPECT_THAT(allocate(n, "b", std::nullopt, ip6("fd5c:231:59::1")).error().message(), HasSubstr("gateway"));
  IpamNetwork v4 = planned6(SubnetRequest{subnet("10.231.59.0/24")});
  EXPECT_THAT(allocate(v4, "a", std::nullopt, ip6("fd5c::2")).error().message(), HasSubstr("has no IPv6 subnet"));
  EXPECT_TRUE(v4.allocations.empty());
}

TEST(Ipam6, RangeAndAuxAddressesAndFullRange) {
  SubnetRequest r = dual_stack();
  r.v6->ip_range = subnet6("fd5c:231:59::100/126");
  r.v6->aux_addresses = {{"router", ip6("fd5c:231:59::101")}};
  IpamNetwork n = planned6(r);
  ASSERT_TRUE(allocate(n, "a"));
  ASSERT_TRUE(allocate(n, "b"));
  ASSERT_TRUE(allocate(n, "c"));
  EXPECT_EQ(n.v6->allocations.at("a"), ip6("fd5c:231:59::100"));
  EXPECT_EQ(n.v6->allocations.at("b"), ip6("fd5c:231:59::102"));
  EXPECT_EQ(n.v6->allocations.at("c"), ip6("fd5c:231:59::103"));
  auto full = allocate(n, "d");
  ASSERT_FALSE(full);
  EXPECT_THAT(full.error().message(), HasSubstr("no free address left in 'fd5c:231:59::100/126'"));
}

TEST(Ipam6, LowestFreeCostsAllocationsNotTheSubnet) {
  IpamNetwork n = planned6(SubnetRequest{subnet("10.231.0.0/16"), {}, {}, {}, SubnetRequest6{subnet6("fd5c::/64"), {}, {}, {}}});
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(allocate(n, "c" + std::to_string(i)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(n.v6->allocations.at("c1999"), ip6("fd5c::7d1"));
}

TEST(Ipam6, RequestMustMatchTheStoredNetwork) {
  IpamNetwork n = planned6(dual_stack());
  EXPECT_TRUE(check_request(n, dual_stack()));
  SubnetRequest v4_only = dual_stack();
  v4_only.v6.reset();
  EXPECT_THAT(check_request(n, v4_only).error().message(), HasSubstr("exists with IPv6 subnet 'fd5c:231:59::/64'"));
  EXPECT_THAT(check_request(n, dual_stack("fd5c:231:5a::/64")).error().message(), HasSubstr("remove the network"));
  IpamNetwork old = planned6(v4_only);
  EXPECT_THAT(check_request(old, dual_stack()).error().message(), HasSubstr("exists without IPv6"));
}

TEST(Ipam6, CodecRoundTripsAndOldFilesHaveNoV6) {
  SubnetRequest r = dual_stack();
  r.v6->ip_range = subnet6("fd5c:231:59::/80");
  r.v6->aux_addresses = {{"r", ip6("fd5c:231:59::5")}};
  IpamNetwork n = planned6(r);
  ASSERT_TRUE(allocate(n, "a"));
  const std::string text = encode_network(n);
  EXPECT_THAT(text, HasSubstr("\"ipv6\""));
  EXPECT_EQ(decode_network(text).value(), n);
  n.v6.reset();
  EXPECT_EQ(decode_network(encode_network(n)).value(), n);
  EXPECT_FALSE(decode_network(R"({"version":1,"name":"x","bridge":"b","subnet":"10.0.0.0/24","gateway":"10.0.0.1",)"
                              R"("ipv6":{"subnet":"fd5c::1/64","gateway":"fd5c::1"}})"));
}

}  // namespace
}  // namespace stack::net
