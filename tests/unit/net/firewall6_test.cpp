// The table of a network with IPv6: one table of family inet, so that the isolation rules hold for
// both families, and masquerading for both subnets; its comment differs from the ip table's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "net/firewall.hpp"
#include "support/addresses.hpp"

namespace stack::net {
namespace {

using ::stack::test::subnet;
using ::stack::test::subnet6;
using ::testing::HasSubstr;
using ::testing::Not;

FirewallRules dual_rules(bool masquerade, bool internal = false) {
  FirewallRules r{"stk-1a2b3c4d", subnet("10.231.240.0/24"), masquerade, internal};
  r.subnet6 = subnet6("fd5c:231:240::/64");
  return r;
}

TEST(Firewall6, OneInetTableIsolatesAndMasqueradesBothFamilies) {
  const FirewallRules r = dual_rules(true);
  EXPECT_EQ(r.family(), "inet");
  EXPECT_EQ(firewall_script(r),
            "add table inet stk-1a2b3c4d\n"
            "delete table inet stk-1a2b3c4d\n"
            "add table inet stk-1a2b3c4d { comment \"" + firewall_comment(r) + "\"; }\n"
            "add chain inet stk-1a2b3c4d forward { type filter hook forward priority filter; policy accept; }\n"
            "add rule inet stk-1a2b3c4d forward iifname \"stk-1a2b3c4d\" oifname \"stk-*\" oifname != \"stk-1a2b3c4d\" drop\n"
            "add rule inet stk-1a2b3c4d forward iifname \"stk-*\" iifname != \"stk-1a2b3c4d\" oifname \"stk-1a2b3c4d\" drop\n"
            "add chain inet stk-1a2b3c4d postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
            "add rule inet stk-1a2b3c4d postrouting ip saddr 10.231.240.0/24 oifname != \"stk-1a2b3c4d\" masquerade\n"
            "add rule inet stk-1a2b3c4d postrouting ip6 saddr fd5c:231:240::/64 oifname != \"stk-1a2b3c4d\" masquerade\n");
}

TEST(Firewall6, InternalForwardsNeitherFamily) {
  const std::string script = firewall_script(dual_rules(true, true));
  EXPECT_THAT(script, HasSubstr("add rule inet stk-1a2b3c4d forward iifname \"stk-1a2b3c4d\" oifname != \"stk-1a2b3c4d\" drop\n"));
  EXPECT_THAT(script, Not(HasSubstr("masquerade")));
}

TEST(Firewall6, TheTableHoldsOnlyRulesOfItsFamily) {
  const FirewallRules dual = dual_rules(false);
  FirewallRules v4 = dual;
  v4.subnet6.reset();
  EXPECT_EQ(v4.family(), "ip");
  EXPECT_NE(firewall_comment(dual), firewall_comment(v4));
  const FirewallTable inet{"stk-1a2b3c4d", firewall_comment(dual), false, "inet"};
  EXPECT_TRUE(inet.holds(dual));
  EXPECT_FALSE(inet.holds(v4));
  FirewallTable ip = inet;
  ip.family = "ip";
  EXPECT_FALSE(ip.holds(dual));
}

}  // namespace
}  // namespace stack::net
