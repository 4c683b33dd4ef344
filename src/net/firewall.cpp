#include "net/firewall.hpp"

#include "net/detail.hpp"
#include "net/naming.hpp"
#include "net/nftables.hpp"

namespace stack::net {

using detail::in_quotes;
using util::Errc;
using util::Result;

namespace {

constexpr std::string_view kMasqueradeMark = " masquerade";

std::string double_quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

// The chains and rules, without the table: what the comment's hash covers.
std::string chains(const FirewallRules& r) {
  const std::string table = r.family() + " " + r.bridge;
  const std::string self = double_quoted(r.bridge);
  std::string out = "add chain " + table + " forward { type filter hook forward priority filter; policy accept; }\n";
  if (r.internal) {
    // Traffic within the bridge (seen here only when br_netfilter is loaded) stays allowed.
    out += "add rule " + table + " forward iifname " + self + " oifname != " + self + " drop\n";
    out += "add rule " + table + " forward iifname != " + self + " oifname " + self + " drop\n";
    return out;
  }
  const std::string others = double_quoted(std::string(kBridgePrefix) + "*");
  out += "add rule " + table + " forward iifname " + self + " oifname " + others + " oifname != " + self + " drop\n";
  out += "add rule " + table + " forward iifname " + others + " iifname != " + self + " oifname " + self + " drop\n";
  if (r.masquerade) {
    out += "add chain " + table + " postrouting { type nat hook postrouting priority srcnat; policy accept; }\n";
    out += "add rule " + table + " postrouting ip saddr " + r.subnet.str() + " oifname != " + self + " masquerade\n";
    if (r.subnet6) {
      out += "add rule " + table + " postrouting ip6 saddr " + r.subnet6->str() + " oifname != " + self + " masquerade\n";
    }
  }
  return out;
}

bool masquerades(std::string_view comment) {
  return comment.size() >= kMasqueradeMark.size() &&
         comment.substr(comment.size() - kMasqueradeMark.size()) == kMasqueradeMark;
}

std::string context_of(std::string_view bridge) { return "firewall table " + in_quotes(bridge); }

}  // namespace

std::string firewall_comment(const FirewallRules& rules) {
  const bool masquerade = rules.masquerade && !rules.internal;
  return "stack " + sha256_hex(chains(rules), 16) + (masquerade ? std::string(kMasqueradeMark) : "");
}

std::string firewall_script(const FirewallRules& rules) {
  // add + delete + add: the table is replaced whole, old chains included, in one transaction.
  const std::string table = rules.family() + " " + rules.bridge;
  return "add table " + table + "\n" + "delete table " + table + "\n" + "add table " + table + " { comment " +
         double_quoted(firewall_comment(rules)) + "; }\n" + chains(rules);
}

Result<std::vector<FirewallTable>> list_firewalls() {
  STACK_ASSIGN_OR_RETURN(std::vector<nft::Table> tables, nft::list_tables());
  std::vector<FirewallTable> out;
  for (nft::Table& t : tables) {
    if (!is_bridge_name(t.name)) continue;
    const bool masquerade = masquerades(t.comment);
    out.push_back({std::move(t.name), std::move(t.comment), masquerade, std::move(t.family)});
  }
  return out;
}

Result<std::optional<FirewallTable>> find_firewall(std::string_view bridge) {
  STACK_ASSIGN_OR_RETURN(std::vector<FirewallTable> tables, list_firewalls());
  for (FirewallTable& t : tables) {
    if (t.bridge == bridge) return std::optional<FirewallTable>(std::move(t));
  }
  return std::optional<FirewallTable>();
}

Result<void> apply_firewall(const FirewallRules& rules) {
  if (!is_bridge_name(rules.bridge))
    return util::fail(Errc::invalid_argument, context_of(rules.bridge) + ": not a stack bridge name");
  STACK_TRY(detail::with_context(nft::run(firewall_script(rules)), context_of(rules.bridge)));
  return util::ok();
}

Result<bool> remove_firewall(std::string_view bridge) {
  if (!is_bridge_name(bridge))
    return util::fail(Errc::invalid_argument, context_of(bridge) + ": not a stack bridge name");
  STACK_ASSIGN_OR_RETURN(auto existing, find_firewall(bridge));
  if (!existing) return false;
  auto deleted = nft::run("delete table " + existing->family + " " + std::string(bridge) + "\n");
  if (deleted) return true;
  // Someone else deleted it since the look-up: absent is not an error.
  STACK_ASSIGN_OR_RETURN(auto again, find_firewall(bridge));
  if (!again) return false;
  return std::move(deleted).error().context(context_of(bridge));
}

}  // namespace stack::net
