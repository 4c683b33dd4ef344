// Root tests of the nftables tables of src/net against the real kernel: apply, re-apply, replace,
// remove by exact name, the listing that recovery and the leak checks use, and the cheap path that
// leaves a converged table alone. No traffic: the rules name test bridges and 10.231.24x.0/24. The
// bridges exist while their tables do, as in the orchestrator (whose leak check relies on it).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "net/firewall.hpp"
#include "net/forwarding.hpp"
#include "net/host.hpp"
#include "net/naming.hpp"
#include "net/nftables.hpp"
#include "net/nl/link.hpp"
#include "support/rootfs.hpp"
#include "test_tag.hpp"

namespace stack::net {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class FirewallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "integration tests run as root";
    tag_ = testing::unique_test_tag("fwtest-");
    first_ = bridge_name(tag_ + "_first");
    second_ = bridge_name(tag_ + "_second");
    foreign_ = "itest" + std::to_string(::getpid());
    for (const std::string& bridge : {first_, second_}) ASSERT_TRUE(nl::create_bridge(bridge, 0).has_value());
  }

  // Every table this test may have made, by exact name; then the check that none is left.
  void TearDown() override {
    for (const std::string& bridge : {first_, second_}) (void)remove_firewall(bridge);
    for (const std::string& bridge : {first_, second_}) (void)nl::remove_link(bridge);
    (void)nft::run("add table ip " + foreign_ + "\ndelete table ip " + foreign_ + "\n");
    auto tables = nft::list_tables();
    ASSERT_TRUE(tables.has_value()) << tables.error().message();
    for (const nft::Table& t : *tables) {
      EXPECT_NE(t.name, first_) << "left behind: table " << t.name;
      EXPECT_NE(t.name, second_) << "left behind: table " << t.name;
      EXPECT_NE(t.name, foreign_) << "left behind: table " << t.name;
    }
    for (const std::string& bridge : {first_, second_}) {
      auto link = nl::find_link(bridge);
      EXPECT_TRUE(link.has_value() && !link->has_value()) << "left behind: bridge " << bridge;
    }
  }

  FirewallRules rules(const std::string& bridge, bool masquerade, bool internal = false) const {
    return {bridge, *Subnet::parse(bridge == first_ ? "10.231.240.0/24" : "10.231.241.0/24"), masquerade, internal};
  }

  std::string listing(const std::string& bridge) const {
    auto text = nft::run("list table ip " + bridge + "\n");
    EXPECT_TRUE(text.has_value()) << text.error().message();
    return text ? *text : "";
  }

  std::string tag_, first_, second_, foreign_;
};

TEST_F(FirewallTest, AppliedRulesAreInTheKernelAndReapplyingChangesNothing) {
  const FirewallRules r = rules(first_, true);
  ASSERT_TRUE(apply_firewall(r).has_value());
  const std::string text = listing(first_);
  EXPECT_THAT(text, HasSubstr("comment \"" + firewall_comment(r) + "\""));
  EXPECT_THAT(text, HasSubstr("type filter hook forward priority filter; policy accept;"));
  EXPECT_THAT(text, HasSubstr("iifname \"" + first_ + "\" oifname \"stk-*\" oifname != \"" + first_ + "\" drop"));
  EXPECT_THAT(text, HasSubstr("iifname \"stk-*\" iifname != \"" + first_ + "\" oifname \"" + first_ + "\" drop"));
  EXPECT_THAT(text, HasSubstr("type nat hook postrouting priority srcnat; policy accept;"));
  EXPECT_THAT(text, HasSubstr("ip saddr 10.231.240.0/24 oifname != \"" + first_ + "\" masquerade"));
  auto found = find_firewall(first_);
  ASSERT_TRUE(found.has_value()) << found.error().message();
  ASSERT_TRUE(found->has_value());
  EXPECT_TRUE((*found)->holds(r));
  EXPECT_TRUE((*found)->masquerade);

  ASSERT_TRUE(apply_firewall(r).has_value());
  EXPECT_EQ(listing(first_), text);
  auto all = list_firewalls();
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(std::count_if(all->begin(), all->end(), [&](const FirewallTable& t) { return t.bridge == first_; }), 1);
}

TEST_F(FirewallTest, ReplacingTheRulesDropsTheNatChain) {
  ASSERT_TRUE(apply_firewall(rules(first_, true)).has_value());
  ASSERT_TRUE(apply_firewall(rules(first_, false)).has_value());
  const std::string text = listing(first_);
  EXPECT_THAT(text, Not(HasSubstr("postrouting")));
  EXPECT_THAT(text, Not(HasSubstr("masquerade")));
  EXPECT_THAT(text, HasSubstr("oifname \"stk-*\""));
  auto found = find_firewall(first_);
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_FALSE((*found)->masquerade);

  ASSERT_TRUE(apply_firewall(rules(first_, true, true)).has_value());
  EXPECT_THAT(listing(first_), HasSubstr("iifname != \"" + first_ + "\" oifname \"" + first_ + "\" drop"));
  EXPECT_THAT(listing(first_), Not(HasSubstr("stk-*")));
}

TEST_F(FirewallTest, RemovalIsByExactNameAndAbsenceIsNotAnError) {
  ASSERT_TRUE(apply_firewall(rules(first_, true)).has_value());
  ASSERT_TRUE(apply_firewall(rules(second_, false)).has_value());
  ASSERT_TRUE(nft::run("add table ip " + foreign_ + "\n").has_value());

  auto all = list_firewalls();
  ASSERT_TRUE(all.has_value());
  auto named = [&](const std::string& name) {
    return std::any_of(all->begin(), all->end(), [&](const FirewallTable& t) { return t.bridge == name; });
  };
  EXPECT_TRUE(named(first_));
  EXPECT_TRUE(named(second_));
  EXPECT_FALSE(named(foreign_));  // not a stack table

  EXPECT_TRUE(*remove_firewall(first_));
  EXPECT_FALSE(*remove_firewall(first_));
  all = list_firewalls();
  ASSERT_TRUE(all.has_value());
  EXPECT_FALSE(named(first_));
  EXPECT_TRUE(named(second_));
  auto foreign = remove_firewall(foreign_);
  ASSERT_FALSE(foreign.has_value());
  EXPECT_EQ(foreign.error().code(), util::Errc::invalid_argument);
  EXPECT_TRUE(*remove_firewall(second_));
}

TEST_F(FirewallTest, AConvergedTableIsLeftAloneAndWithoutMasqueradingIpForwardIsNotTouched) {
  test::TempDir dir("stack-fwtest");
  const std::string run_dir = dir / "run";
  auto forwarding = ip_forward();
  ASSERT_TRUE(forwarding.has_value());
  const FirewallRules r = rules(first_, false);
  EXPECT_TRUE(*ensure_network_firewall(r, run_dir));
  EXPECT_FALSE(*ensure_network_firewall(r, run_dir));
  // Someone flushes the host's ruleset (a firewall reload): the next `up` puts it back.
  ASSERT_TRUE(remove_firewall(first_).has_value());
  EXPECT_TRUE(*ensure_network_firewall(r, run_dir));
  EXPECT_EQ(*ip_forward(), *forwarding);
  EXPECT_FALSE(std::filesystem::exists(run_dir)) << "no lock without masquerading";
  EXPECT_TRUE(*remove_network_firewall(first_, run_dir));
  EXPECT_FALSE(*remove_network_firewall(first_, run_dir));
  EXPECT_FALSE(std::filesystem::exists(run_dir));
}

TEST_F(FirewallTest, AFailedTransactionIsOneLineAndChangesNothing) {
  ASSERT_TRUE(apply_firewall(rules(first_, false)).has_value());
  const std::string before = listing(first_);
  auto bad = nft::run("add rule ip " + first_ + " forward oifname \"x\" drop\nadd rule ip " + first_ + " nosuchchain drop\n");
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message(), HasSubstr("nftables: "));
  EXPECT_THAT(bad.error().message(), HasSubstr("nosuchchain"));
  EXPECT_EQ(bad.error().message().find('\n'), std::string::npos) << bad.error().message();
  EXPECT_EQ(listing(first_), before);
}

}  // namespace
}  // namespace stack::net
