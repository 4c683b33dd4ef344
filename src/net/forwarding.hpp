// net.ipv4.ip_forward for masquerading networks: on while a stack table masquerades, and back to
// off when the last one goes if, and only if, stack turned it on. The switch is host-wide (per
// netns), so its lock and its "stack turned it on" marker are host-wide too: in /run/stack, not
// in a state root (roots are per user or per test; /run is emptied at boot, when ip_forward is
// reset, so a marker never outlives the setting it describes).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "net/firewall.hpp"
#include "util/file_lock.hpp"
#include "util/result.hpp"

namespace stack::net {

inline constexpr const char* kHostRunDir = "/run/stack";

// What to do to ip_forward (pure): needed = a masquerading stack table exists, enabled = its
// value now, marked = stack's marker exists.
struct ForwardPlan {
  std::optional<bool> set;  // write this value
  bool mark = false;        // write the marker: stack turned it on
  bool unmark = false;      // remove the marker
  bool operator==(const ForwardPlan&) const = default;
};
ForwardPlan plan_ip_forward(bool needed, bool enabled, bool marked);

// The host-wide lock around every change of a masquerading table and of ip_forward, so that two
// projects never decide at once (one removing the last masquerading table while another adds one).
class ForwardingLock {
 public:
  static util::Result<ForwardingLock> acquire(const std::string& dir = kHostRunDir);
  // Brings ip_forward in line with the stack tables that exist now (plan_ip_forward).
  util::Result<void> settle();

 private:
  ForwardingLock(util::FileLock lock, std::string dir) : lock_(std::move(lock)), dir_(std::move(dir)) {}
  util::FileLock lock_;
  std::string dir_;
};

// A network's table with ip_forward kept in step. The table is applied only when the kernel does
// not hold exactly these rules (a converged `up` reads one netlink dump and loads nothing); the
// lock is taken only when masquerading is involved, so networks without it never touch
// ip_forward or /run/stack. true if the table was applied.
util::Result<bool> ensure_network_firewall(const FirewallRules& rules, const std::string& dir = kHostRunDir);
// Deletes the network's table (false if there was none) and settles ip_forward when the table
// masqueraded or a marker is left (a crash between the two, earlier).
util::Result<bool> remove_network_firewall(std::string_view bridge, const std::string& dir = kHostRunDir);

}  // namespace stack::net
