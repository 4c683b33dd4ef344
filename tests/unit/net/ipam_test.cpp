#include "net/ipam.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "net/naming.hpp"
#include "support/addresses.hpp"

namespace stack::net {
namespace {

using ::testing::HasSubstr;
using util::Errc;

using ::stack::test::subnet;
using ::stack::test::ip;

IpamContext with_pool(const char* base, int size) {
  IpamContext context;
  context.pools = {AddressPool{subnet(base), size}};
  return context;
}

IpamNetwork planned(const SubnetRequest& request, const IpamContext& context = {}) {
  auto network = plan_network("demo_default", request, context);
  EXPECT_TRUE(network.has_value()) << (network ? "" : network.error().message());
  return network ? *network : IpamNetwork{};
}

TEST(DefaultPools, AreDockersDefaults) {
  const auto pools = default_pools();
  ASSERT_EQ(pools.size(), 16u);
  EXPECT_EQ(pools.front().base.str(), "172.17.0.0/16");
  EXPECT_EQ(pools.front().size, 16);
  EXPECT_EQ(pools[14].base.str(), "172.31.0.0/16");
  EXPECT_EQ(pools.back().base.str(), "192.168.0.0/16");
  EXPECT_EQ(pools.back().size, 20);
}

TEST(SelectSubnet, TakesTheFirstFreePoolSubnet) {
  IpamContext context;
  EXPECT_EQ(select_subnet(context)->str(), "172.17.0.0/16");
  context.host_used = {subnet("172.17.0.0/16")};  // docker0
  EXPECT_EQ(select_subnet(context)->str(), "172.18.0.0/16");
  context.taken = {subnet("172.18.0.0/16")};
  EXPECT_EQ(select_subnet(context)->str(), "172.19.0.0/16");
}

TEST(SelectSubnet, AvoidsHostRoutesThatOverlapPartially) {
  IpamContext context;
  context.host_used = {subnet("172.17.5.0/24"), subnet("172.18.0.0/15")};
  EXPECT_EQ(select_subnet(context)->str(), "172.20.0.0/16");
}

TEST(SelectSubnet, IgnoresDefaultRoutes) {
  IpamContext context;
  context.host_used = {subnet("0.0.0.0/0")};
  EXPECT_EQ(select_subnet(context)->str(), "172.17.0.0/16");
}

TEST(SelectSubnet, SkipsWholeBlockersAndFallsBackToLaterPools) {
  IpamContext context;
  context.host_used = {subnet("172.16.0.0/12"), subnet("192.168.0.0/20")};
  EXPECT_EQ(select_subnet(context)->str(), "192.168.16.0/20");
  // A /8 route over a pool of /30s is skipped in one step, not four million.
  IpamContext big = with_pool("10.0.0.0/8", 30);
  big.pools.push_back(AddressPool{subnet("10.231.0.0/16"), 30});
  big.host_used = {subnet("10.0.0.0/8")};
  auto chosen = select_subnet(big);
  ASSERT_FALSE(chosen.has_value());
}

TEST(SelectSubnet, CustomPoolAndExhaustion) {
  IpamContext context = with_pool("10.231.0.0/23", 24);
  context.host_used = {subnet("10.231.0.0/24")};
  EXPECT_EQ(select_subnet(context)->str(), "10.231.1.0/24");
  context.taken = {subnet("10.231.1.0/24")};
  auto none = select_subnet(context);
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code(), Errc::conflict);
  EXPECT_THAT(none.error().message(), HasSubstr("all address pools are in use"));
}

TEST(SelectSubnet, RejectsAPoolThatCannotBeSplit) {
  auto bad = select_subnet(with_pool("10.231.0.0/24", 16));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), Errc::invalid_argument);
  EXPECT_FALSE(select_subnet(with_pool("10.231.0.0/24", 31)).has_value());
}

TEST(PlanNetwork, FromThePoolWithFirstAddressAsGateway) {
  const IpamNetwork network = planned({});
  EXPECT_EQ(network.name, "demo_default");
  EXPECT_EQ(network.bridge, bridge_name("demo_default"));
  EXPECT_EQ(network.subnet.str(), "172.17.0.0/16");
  EXPECT_EQ(network.gateway.str(), "172.17.0.1");
  EXPECT_FALSE(network.ip_range.has_value());
  EXPECT_TRUE(network.allocations.empty());
}

TEST(PlanNetwork, HonoursExplicitSubnetGatewayAndRange) {
  const IpamNetwork network =
      planned({subnet("10.231.7.0/24"), ip("10.231.7.254"), subnet("10.231.7.128/25")});
  EXPECT_EQ(network.subnet.str(), "10.231.7.0/24");
  EXPECT_EQ(network.gateway.str(), "10.231.7.254");
  EXPECT_EQ(network.ip_range->str(), "10.231.7.128/25");
  EXPECT_EQ(network.gateway_interface().str(), "10.231.7.254/24");
}

TEST(PlanNetwork, RefusesExplicitSubnetsThatOverlap) {
  IpamContext context;
  context.host_used = {subnet("192.0.2.0/24")};
  context.taken = {subnet("10.231.0.0/16")};
  auto host = plan_network("n", {subnet("192.0.2.0/25")}, context);
  ASSERT_FALSE(host.has_value());
  EXPECT_EQ(host.error().code(), Errc::conflict);
  EXPECT_THAT(host.error().message(),
              HasSubstr("overlaps the host's route or address '192.0.2.0/24'"));
  auto other = plan_network("n", {subnet("10.231.3.0/24")}, context);
  ASSERT_FALSE(other.has_value());
  EXPECT_THAT(other.error().message(), HasSubstr("another network's subnet '10.231.0.0/16'"));
}

TEST(PlanNetwork, ChecksGatewayRangeAndSize) {
  const IpamContext context;
  const auto fails = [&](const SubnetRequest& request, const char* text) {
    auto result = plan_network("n", request, context);
    ASSERT_FALSE(result.has_value()) << text;
    EXPECT_THAT(result.error().message(), HasSubstr(text));
  };
  fails({subnet("10.231.1.0/31")}, "too small");
  fails({subnet("10.231.1.0/24"), ip("10.231.2.1")}, "not in subnet");
  fails({subnet("10.231.1.0/24"), ip("10.231.1.255")}, "network or broadcast");
  fails({subnet("10.231.1.0/24"), ip("10.231.1.0")}, "network or broadcast");
  fails({subnet("10.231.1.0/24"), std::nullopt, subnet("10.231.0.0/23")}, "not inside subnet");
  fails({std::nullopt, ip("10.231.1.1")}, "need an explicit subnet");
  EXPECT_FALSE(plan_network("../x", {}, context).has_value());
}

TEST(CheckRequest, AcceptsWhatTheNetworkHasAndRefusesChanges) {
  const IpamNetwork network = planned({subnet("10.231.1.0/24")});
  EXPECT_TRUE(check_request(network, {}).has_value());
  EXPECT_TRUE(check_request(network, {subnet("10.231.1.0/24")}).has_value());
  EXPECT_TRUE(check_request(network, {subnet("10.231.1.0/24"), ip("10.231.1.1")}).has_value());
  auto changed = check_request(network, {subnet("10.231.2.0/24")});
  ASSERT_FALSE(changed.has_value());
  EXPECT_EQ(changed.error().code(), Errc::conflict);
  EXPECT_THAT(changed.error().message(), HasSubstr("remove the network to change it"));
  EXPECT_FALSE(check_request(network, {subnet("10.231.1.0/24"), ip("10.231.1.9")}).has_value());
  EXPECT_FALSE(
      check_request(network, {subnet("10.231.1.0/24"), std::nullopt, subnet("10.231.1.0/25")})
          .has_value());
}

TEST(Allocate, LowestFreeSkippingGatewayDeterministically) {
  IpamNetwork network = planned({subnet("10.231.1.0/24")});
  EXPECT_EQ(allocate(network, "demo-web-1")->str(), "10.231.1.2");
  EXPECT_EQ(allocate(network, "demo-db-1")->str(), "10.231.1.3");
  IpamNetwork again = planned({subnet("10.231.1.0/24")});
  EXPECT_EQ(allocate(again, "demo-web-1")->str(), "10.231.1.2");
  EXPECT_EQ(allocate(again, "demo-db-1")->str(), "10.231.1.3");
}

TEST(Allocate, SameKeyGetsTheSameAddressBack) {
  IpamNetwork network = planned({subnet("10.231.1.0/24")});
  const Ipv4 first = *allocate(network, "web");
  ASSERT_TRUE(allocate(network, "db").has_value());
  EXPECT_EQ(*allocate(network, "web"), first);
  EXPECT_EQ(network.allocations.size(), 2u);
}

TEST(Allocate, ReleaseFreesTheAddressForReuse) {
  IpamNetwork network = planned({subnet("10.231.1.0/24")});
  ASSERT_TRUE(allocate(network, "a").has_value());
  ASSERT_TRUE(allocate(network, "b").has_value());
  EXPECT_TRUE(release(network, "a"));
  EXPECT_FALSE(release(network, "a"));
  EXPECT_EQ(allocate(network, "c")->str(), "10.231.1.2");
  EXPECT_EQ(allocate(network, "a")->str(), "10.231.1.4");
}

TEST(Allocate, ComesFromIpRangeAndSkipsNetworkAddress) {
  IpamNetwork ranged = planned({subnet("10.231.1.0/24"), std::nullopt, subnet("10.231.1.128/25")});
  EXPECT_EQ(allocate(ranged, "a")->str(), "10.231.1.128");
  // A gateway at the end of the subnet frees .1; the network address .0 is never handed out.
  IpamNetwork top = planned({subnet("10.231.1.0/24"), ip("10.231.1.254")});
  EXPECT_EQ(allocate(top, "a")->str(), "10.231.1.1");
}

TEST(Allocate, HonoursAndChecksRequestedAddresses) {
  IpamNetwork network = planned({subnet("10.231.1.0/24"), std::nullopt, subnet("10.231.1.128/25")});
  EXPECT_EQ(allocate(network, "static", ip("10.231.1.10"))->str(), "10.231.1.10");  // outside range
  EXPECT_EQ(allocate(network, "static", ip("10.231.1.10"))->str(), "10.231.1.10");
  const auto refused = [&](const char* address, Errc code, const char* text) {
    auto result = allocate(network, "other", ip(address));
    ASSERT_FALSE(result.has_value()) << address;
    EXPECT_EQ(result.error().code(), code) << address;
    EXPECT_THAT(result.error().message(), HasSubstr(text));
  };
  refused("10.231.1.10", Errc::conflict, "already used by 'static'");
  refused("10.231.1.1", Errc::conflict, "gateway");
  refused("10.231.1.0", Errc::invalid_argument, "network or broadcast");
  refused("10.231.1.255", Errc::invalid_argument, "network or broadcast");
  refused("10.231.2.5", Errc::invalid_argument, "not in subnet");
  EXPECT_FALSE(network.allocations.contains("other"));
  // A changed ipv4_address moves the key to the new address and frees the old one.
  EXPECT_EQ(allocate(network, "static", ip("10.231.1.11"))->str(), "10.231.1.11");
  EXPECT_EQ(allocate(network, "other", ip("10.231.1.10"))->str(), "10.231.1.10");
}

TEST(Allocate, DynamicAllocationAvoidsStaticOnes) {
  IpamNetwork network = planned({subnet("10.231.1.0/24")});
  ASSERT_TRUE(allocate(network, "static", ip("10.231.1.2")).has_value());
  EXPECT_EQ(allocate(network, "dynamic")->str(), "10.231.1.3");
}

TEST(Allocate, ExhaustionIsAConflict) {
  IpamNetwork network = planned({subnet("10.231.1.0/30")});  // .1 gateway, .2 the only host
  EXPECT_EQ(allocate(network, "a")->str(), "10.231.1.2");
  auto full = allocate(network, "b");
  ASSERT_FALSE(full.has_value());
  EXPECT_EQ(full.error().code(), Errc::conflict);
  EXPECT_THAT(full.error().message(), HasSubstr("no free address left in '10.231.1.0/30'"));
  EXPECT_THAT(full.error().message(), HasSubstr("'b'"));
  EXPECT_FALSE(allocate(network, "").has_value());
}

TEST(Allocate, FillsASubnetWithDistinctAddresses) {
  IpamNetwork network = planned({subnet("10.231.1.0/24")});
  std::set<Ipv4> seen;
  for (int i = 0; i < 253; ++i) {
    auto address = allocate(network, "c" + std::to_string(i));
    ASSERT_TRUE(address.has_value()) << i;
    EXPECT_TRUE(seen.insert(*address).second);
  }
  EXPECT_FALSE(allocate(network, "one-too-many").has_value());
}

// aux_addresses: reserved by name, never allocated, refused when asked for, kept for life.
TEST(Allocate, AuxAddressesAreNeverGivenToContainers) {
  SubnetRequest request{subnet("10.231.9.0/24")};
  request.aux_addresses = {{"router", ip("10.231.9.2")}, {"printer", ip("10.231.9.3")}};
  IpamNetwork n = planned(request);
  EXPECT_EQ(n.reserved, request.aux_addresses);
  auto first = allocate(n, "demo-web-1");
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, ip("10.231.9.4"));
  auto asked = allocate(n, "demo-db-1", ip("10.231.9.3"));
  ASSERT_FALSE(asked);
  EXPECT_THAT(asked.error().message(), HasSubstr("is reserved as aux address 'printer'"));
  EXPECT_TRUE(check_request(n, request));
  SubnetRequest other = request;
  other.aux_addresses.erase("printer");
  EXPECT_FALSE(check_request(n, other));
  SubnetRequest gateway{subnet("10.231.9.0/24")};
  gateway.aux_addresses = {{"gw", ip("10.231.9.1")}};
  EXPECT_FALSE(plan_network("n", gateway, {}));
}

}  // namespace
}  // namespace stack::net
