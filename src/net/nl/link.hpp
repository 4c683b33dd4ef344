// Network links (interfaces) over rtnetlink: bridges, veth pairs and the few attributes stack sets.
// Stateless; each call acts in the calling thread's network namespace. Absence and idempotence are
// values: remove_link() says whether a link was removed, create_*() whether one was created.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace stack::net::nl {

struct LinkInfo {
  std::string name;
  int index = 0;
  std::string kind;  // "bridge", "veth", ... ; empty for plain devices (lo, most NICs)
  unsigned mtu = 0;
  std::string mac;  // "aa:bb:cc:dd:ee:ff", empty if none
  bool up = false;  // administratively up (IFF_UP)
  int master = 0;   // ifindex of the bridge it is a port of, 0 if none
};

util::Result<std::optional<LinkInfo>> find_link(std::string_view name);
util::Result<std::vector<LinkInfo>> list_links();

// Creates bridge `name` (mtu 0 leaves the kernel default). False if a bridge of that name already
// exists; a conflict error if the name is taken by another kind of link.
util::Result<bool> create_bridge(std::string_view name, unsigned mtu = 0);

// Creates the veth pair name <-> peer, both ends in this netns. False if `name` already exists as
// a veth whose peer is `peer`; a conflict error if either name is taken otherwise.
util::Result<bool> create_veth(std::string_view name, std::string_view peer, unsigned mtu = 0);

// A veth pair made in one request: the host end in this netns, a port of bridge `bridge_index`
// and up; the peer created directly inside the netns of peer_netns_fd (borrowed) under its final
// name, down (the kernel cannot open a veth end before its pair is complete). Neither end is
// moved or renamed afterwards: both would wait for RCU grace periods while holding the kernel's
// rtnl lock, which serialises every container being attached.
struct VethIntoNetns {
  std::string host_name;
  int bridge_index = 0;
  std::string peer_name;
  int peer_netns_fd = -1;
  std::optional<std::string> peer_mac;  // kernel-random when unset
  unsigned mtu = 0;                     // both ends; 0 keeps the kernel default
};
// An already_exists error if the host end exists; other errors (a peer name taken in the netns
// included) leave nothing behind.
util::Result<void> create_veth_into_netns(const VethIntoNetns& veth);

// Deletes link `name` (for a veth, the kernel deletes both ends). False if there was none.
util::Result<bool> remove_link(std::string_view name);

// Attribute changes; each is an error (not_found) if the link does not exist.
util::Result<void> set_up(std::string_view name);
util::Result<void> set_master(std::string_view name, std::string_view master);
util::Result<void> set_mtu(std::string_view name, unsigned mtu);
util::Result<void> set_mac(std::string_view name, std::string_view mac);

// Brings up "lo" in the calling thread's netns; a new netns has it down.
util::Result<void> loopback_up();

}  // namespace stack::net::nl
