// Names of the kernel objects that stack creates. Every name is derived deterministically from the
// thing it belongs to, so that a later run (or `stack down` after a crash) finds the same object
// again without a lookup table, and every name carries a prefix that marks it as ours.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "net/ip.hpp"
#include "util/result.hpp"

namespace stack::net {

// IFNAMSIZ is 16 including the terminating NUL.
inline constexpr std::size_t kMaxIfnameLength = 15;

inline constexpr std::string_view kBridgePrefix = "stk-";
inline constexpr std::string_view kHostVethPrefix = "stv";
inline constexpr std::string_view kPeerVethPrefix = "stp";

// Lower-case hex of the SHA-256 of data, truncated to `chars` characters (at most 64).
std::string sha256_hex(std::string_view data, std::size_t chars = 64);

// "stk-" + 8 hex chars of sha256(network_full_name); e.g. "stk-3f9a01bc".
std::string bridge_name(std::string_view network_full_name);

// "stv" + 10 hex chars of sha256(container_id '\0' network): the host end of a container's veth.
std::string host_veth_name(std::string_view container_id, std::string_view network);

// "stp" + the same 10 hex chars: the container end while it is still on the host, before it moves
// into the container's netns and is renamed. Distinct from the host end so both can coexist.
std::string peer_veth_name(std::string_view container_id, std::string_view network);

// Whether name has the shape of an object stack made (prefix and hex tail of the right length).
bool is_bridge_name(std::string_view name);
bool is_host_veth_name(std::string_view name);
bool is_peer_veth_name(std::string_view name);

// The peer name that belongs to a host veth name ("stv<h>" -> "stp<h>"); empty if not ours.
std::string peer_of_host_veth(std::string_view host_veth);

// Checks an interface name as the kernel would (dev_valid_name): 1..15 bytes, not "." or "..",
// no '/', ':' or whitespace.
util::Result<void> check_ifname(std::string_view name);

// Checks a network name before it becomes a file name under <root>/networks/: the Compose rule
// [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 255 bytes.
util::Result<void> check_network_name(std::string_view name);

// A locally administered unicast MAC derived from the address ("02:73:" + the four octets), so a
// container that gets its address back also gets its MAC back and peers' ARP caches stay valid.
std::string mac_for_address(Ipv4 address);

}  // namespace stack::net
