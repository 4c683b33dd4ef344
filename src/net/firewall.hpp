// A stack network's nftables table: isolation from the other stack networks and, when enabled,
// outbound masquerading. One table per network, named after its bridge (`table ip stk-1a2b3c4d`;
// family inet for a network with IPv6, so that one table covers both), always replaced whole in
// one transaction. docs/networking.md has the layout and why.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip.hpp"
#include "util/result.hpp"

namespace stack::net {

struct FirewallRules {
  std::string bridge;       // the network's bridge, also the table's name
  Subnet subnet;            // the network's subnet: the sources that are masqueraded
  bool masquerade = false;  // outbound masquerading (never for internal networks)
  bool internal = false;    // nothing is forwarded into or out of the bridge
  std::optional<Subnet6> subnet6;  // enable_ipv6 networks: masqueraded too; the table is inet

  std::string family() const { return subnet6 ? "inet" : "ip"; }
};

// The table's comment: "stack <hash of the rules>", and " masquerade" when it masquerades. It is
// how a later run tells, with one netlink dump and without libnftables, that the kernel already
// holds exactly these rules, and which tables need ip_forward.
std::string firewall_comment(const FirewallRules& rules);
// The nft commands that replace the table (pure).
std::string firewall_script(const FirewallRules& rules);

struct FirewallTable {
  std::string bridge;  // the table's name
  std::string comment;
  bool masquerade = false;
  std::string family = "ip";  // inet: the network has IPv6, its masquerading needs IPv6 forwarding
  // Whether the table is exactly what these rules make (by its comment).
  bool holds(const FirewallRules& rules) const {
    return family == rules.family() && comment == firewall_comment(rules);
  }
};

// The tables of the calling thread's netns that stack made (family ip or inet, named like a bridge).
util::Result<std::vector<FirewallTable>> list_firewalls();
util::Result<std::optional<FirewallTable>> find_firewall(std::string_view bridge);

// Replaces the table of rules.bridge (or makes it) atomically, through libnftables.
util::Result<void> apply_firewall(const FirewallRules& rules);
// Deletes the table by its exact name; false if there was none. Refuses names stack does not make.
util::Result<bool> remove_firewall(std::string_view bridge);

}  // namespace stack::net
