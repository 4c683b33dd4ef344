#include "scheduler/network_plan.hpp"

#include <gtest/gtest.h>

namespace stack::scheduler {
namespace {

ObservedNetwork healthy(const std::string& name) { return {name, true, true, true, true}; }

TEST(NetworkPlanTest, ANetworkNeverMadeGetsEverything) {
  auto plan = plan_networks({{"p_default"}}, {{"p_default"}}, {});
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0], (NetworkStep{"p_default", true, true, true, {}, "new"}));
}

TEST(NetworkPlanTest, AnUnobservedNetworkIsNew) {
  auto plan = plan_networks({{"p_default"}}, {}, {});
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].reason, "new");
}

TEST(NetworkPlanTest, AConvergedNetworkIsLeftAlone) {
  auto plan = plan_networks({{"p_default"}}, {healthy("p_default")},
                            {{"p-a-1", "p_default", true}, {"p-b-1", "p_default", true}});
  EXPECT_TRUE(plan.converged());
}

TEST(NetworkPlanTest, ADeletedBridgeIsMadeAgainWithEveryEndpoint) {
  ObservedNetwork o = healthy("p_default");
  o.bridge = false;
  // Whatever is_attached said, a new bridge has no ports.
  auto plan = plan_networks({{"p_default"}}, {o}, {{"p-b-1", "p_default", false}, {"p-a-1", "p_default", true},
                                                    {"q-x-1", "q_default", false}});
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0], (NetworkStep{"p_default", true, false, false, {"p-a-1", "p-b-1"}, "bridge deleted"}));
}

TEST(NetworkPlanTest, AMissingFirewallTableIsAppliedAlone) {
  ObservedNetwork o = healthy("p_default");
  o.firewall = false;
  auto plan = plan_networks({{"p_default"}}, {o}, {{"p-a-1", "p_default", true}});
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0], (NetworkStep{"p_default", false, true, false, {}, "firewall table missing or changed"}));
}

TEST(NetworkPlanTest, ADeadDnsServerIsStartedAlone) {
  ObservedNetwork o = healthy("p_default");
  o.dns = false;
  auto plan = plan_networks({{"p_default"}}, {o}, {});
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0], (NetworkStep{"p_default", false, false, true, {}, "DNS server not running"}));
}

TEST(NetworkPlanTest, ADeletedVethIsReattachedAlone) {
  auto plan = plan_networks({{"p_default"}, {"p_back"}}, {healthy("p_default"), healthy("p_back")},
                            {{"p-a-1", "p_default", true}, {"p-a-1", "p_back", false}});
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0], (NetworkStep{"p_back", false, false, false, {"p-a-1"}, "veth deleted"}));
}

TEST(NetworkPlanTest, SeveralFaultsAreOneStepWithEveryReason) {
  ObservedNetwork o = healthy("p_default");
  o.firewall = false;
  o.dns = false;
  auto plan = plan_networks({{"p_default"}}, {o}, {{"p-a-1", "p_default", false}});
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].reason, "firewall table missing or changed, DNS server not running, veth deleted");
  EXPECT_EQ(plan.steps[0].reattach, std::vector<std::string>{"p-a-1"});
}

TEST(NetworkPlanTest, ExternalNetworksAreNeverPlanned) {
  auto plan = plan_networks({{"shared", true}}, {}, {{"p-a-1", "shared", false}});
  EXPECT_TRUE(plan.converged());
}

TEST(NetworkPlanTest, StepsFollowTheDesiredOrder) {
  auto plan = plan_networks({{"p_b"}, {"p_a"}}, {}, {});
  ASSERT_EQ(plan.steps.size(), 2u);
  EXPECT_EQ(plan.steps[0].network, "p_b");
  EXPECT_EQ(plan.steps[1].network, "p_a");
}

}  // namespace
}  // namespace stack::scheduler
