// The nft commands of a network's table (pure): isolation always, masquerading when asked and never
// for internal networks, the comment that says what the table holds; libnftables' error lines.
#include "net/firewall.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "net/forwarding.hpp"
#include "net/naming.hpp"
#include "net/nftables.hpp"

namespace stack::net {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

FirewallRules rules(bool masquerade, bool internal = false) {
  return {"stk-1a2b3c4d", *Subnet::parse("10.231.240.0/24"), masquerade, internal};
}

TEST(FirewallScript, ReplacesTheTableWholeThenIsolatesAndMasquerades) {
  const FirewallRules r = rules(true);
  EXPECT_EQ(firewall_script(r),
            "add table ip stk-1a2b3c4d\n"
            "delete table ip stk-1a2b3c4d\n"
            "add table ip stk-1a2b3c4d { comment \"" + firewall_comment(r) + "\"; }\n"
            "add chain ip stk-1a2b3c4d forward { type filter hook forward priority filter; policy accept; }\n"
            "add rule ip stk-1a2b3c4d forward iifname \"stk-1a2b3c4d\" oifname \"stk-*\" oifname != \"stk-1a2b3c4d\" drop\n"
            "add rule ip stk-1a2b3c4d forward iifname \"stk-*\" iifname != \"stk-1a2b3c4d\" oifname \"stk-1a2b3c4d\" drop\n"
            "add chain ip stk-1a2b3c4d postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
            "add rule ip stk-1a2b3c4d postrouting ip saddr 10.231.240.0/24 oifname != \"stk-1a2b3c4d\" masquerade\n");
}

TEST(FirewallScript, WithoutMasqueradingHasNoNatChainButTheSameIsolation) {
  const std::string script = firewall_script(rules(false));
  EXPECT_THAT(script, Not(HasSubstr("postrouting")));
  EXPECT_THAT(script, Not(HasSubstr("masquerade")));
  EXPECT_THAT(script, HasSubstr("forward iifname \"stk-1a2b3c4d\" oifname \"stk-*\" oifname != \"stk-1a2b3c4d\" drop\n"));
  EXPECT_THAT(script, HasSubstr("forward iifname \"stk-*\" iifname != \"stk-1a2b3c4d\" oifname \"stk-1a2b3c4d\" drop\n"));
}

TEST(FirewallScript, InternalNetworkForwardsNothingAndNeverMasquerades) {
  const std::string script = firewall_script(rules(true, true));
  EXPECT_THAT(script, HasSubstr("forward iifname \"stk-1a2b3c4d\" oifname != \"stk-1a2b3c4d\" drop\n"));
  EXPECT_THAT(script, HasSubstr("forward iifname != \"stk-1a2b3c4d\" oifname \"stk-1a2b3c4d\" drop\n"));
  EXPECT_THAT(script, Not(HasSubstr("masquerade")));
  EXPECT_EQ(firewall_comment(rules(true, true)), firewall_comment(rules(false, true)));
}

TEST(FirewallComment, TellsRulesApartAndMarksMasquerading) {
  EXPECT_THAT(firewall_comment(rules(true)), ::testing::MatchesRegex("stack [0-9a-f]{16} masquerade"));
  EXPECT_THAT(firewall_comment(rules(false)), ::testing::MatchesRegex("stack [0-9a-f]{16}"));
  EXPECT_NE(firewall_comment(rules(true)), firewall_comment(rules(false)));
  EXPECT_NE(firewall_comment(rules(false)), firewall_comment(rules(false, true)));
  FirewallRules other = rules(true);
  other.subnet = *Subnet::parse("10.231.241.0/24");
  EXPECT_NE(firewall_comment(other), firewall_comment(rules(true)));
  EXPECT_EQ(firewall_comment(rules(true)), firewall_comment(rules(true)));
  // nft refuses comments over 128 bytes.
  EXPECT_LE(firewall_comment(rules(true)).size(), 128u);
  FirewallTable table{"stk-1a2b3c4d", firewall_comment(rules(true)), true};
  EXPECT_TRUE(table.holds(rules(true)));
  EXPECT_FALSE(table.holds(rules(false)));
}

TEST(NftErrorLine, KeepsTheMessageAndTheCommandOnOneLine) {
  EXPECT_EQ(nft::error_line("Error: Could not process rule: No such file or directory\n"
                            "delete table ip stk-1a2b3c4d\n"
                            "                ^^^^^^^^^^^^\n"),
            "Could not process rule: No such file or directory ('delete table ip stk-1a2b3c4d')");
  EXPECT_EQ(nft::error_line("<cmdline>:1:1-3: Error: syntax error, unexpected junk\nfoo\n^^^\n"),
            "syntax error, unexpected junk ('foo')");
  EXPECT_EQ(nft::error_line("Error: no command\n"), "no command");
  EXPECT_EQ(nft::error_line(""), "command failed");
  EXPECT_EQ(nft::error_line("something odd\nmore\n"), "something odd");
}

TEST(PlanIpForward, OnWhenNeededAndOffOnlyIfStackTurnedItOn) {
  // needed, enabled, marked
  EXPECT_EQ(plan_ip_forward(true, false, false), (ForwardPlan{true, true, false}));
  EXPECT_EQ(plan_ip_forward(true, false, true), (ForwardPlan{true, true, false}));  // turned off behind our back
  EXPECT_EQ(plan_ip_forward(true, true, false), ForwardPlan{});  // someone else's: leave it
  EXPECT_EQ(plan_ip_forward(true, true, true), ForwardPlan{});
  EXPECT_EQ(plan_ip_forward(false, true, true), (ForwardPlan{false, false, true}));
  EXPECT_EQ(plan_ip_forward(false, false, true), (ForwardPlan{std::nullopt, false, true}));
  EXPECT_EQ(plan_ip_forward(false, true, false), ForwardPlan{});  // the host's own setting
  EXPECT_EQ(plan_ip_forward(false, false, false), ForwardPlan{});
}

}  // namespace
}  // namespace stack::net
