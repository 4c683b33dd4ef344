#include "net/forwarding.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "net/host.hpp"
#include "util/atomic_file.hpp"

namespace stack::net {

namespace fs = std::filesystem;
using util::Errc;
using util::Result;

namespace {

std::string marker_path(const std::string& dir) { return dir + "/ip_forward.stack"; }
std::string marker6_path(const std::string& dir) { return dir + "/ipv6_forward.stack"; }
std::string lock_path(const std::string& dir) { return dir + "/ip_forward.lock"; }

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace

ForwardPlan plan_ip_forward(bool needed, bool enabled, bool marked) {
  ForwardPlan plan;
  if (needed && !enabled) {
    plan.set = true;
    plan.mark = true;
  } else if (!needed && marked) {
    if (enabled) plan.set = false;
    plan.unmark = true;
  }
  return plan;
}

Result<ForwardingLock> ForwardingLock::acquire(const std::string& dir) {
  // settle() removes the lock file and the directory once stack holds nothing: a newcomer that
  // loses that race finds no directory and makes it again.
  for (int attempt = 1;; ++attempt) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return util::fail(Errc::io, "creating '" + dir + "': " + ec.message(), ec.value());
    auto lock = util::FileLock::acquire(lock_path(dir));
    if (lock) return ForwardingLock(std::move(*lock), dir);
    if (lock.error().sys_errno() != ENOENT || attempt == 5) return std::move(lock).error();
  }
}

namespace {

// One switch brought in line with plan_ip_forward: its marker first when turning on and last when
// turning off, so a crash in between leaves a marker that the next settle acts on, never the
// switch on without the marker.
Result<void> settle_switch(bool needed, const std::string& marker, Result<bool> (*read)(), Result<bool> (*write)(bool),
                           const char* what) {
  STACK_ASSIGN_OR_RETURN(bool enabled, read());
  const ForwardPlan plan = plan_ip_forward(needed, enabled, exists(marker));
  if (plan.mark) STACK_TRY(util::write_file_atomic(marker, std::string("stack turned ") + what + " on\n"));
  if (plan.set) STACK_TRY(write(*plan.set));
  if (plan.unmark) {
    if (::unlink(marker.c_str()) != 0 && errno != ENOENT) return util::Error::from_errno("removing '" + marker + "'");
  }
  return util::ok();
}

}  // namespace

Result<void> ForwardingLock::settle() {
  STACK_ASSIGN_OR_RETURN(std::vector<FirewallTable> tables, list_firewalls());
  const bool needed = std::any_of(tables.begin(), tables.end(), [](const FirewallTable& t) { return t.masquerade; });
  // IPv6 forwarding only for the tables of networks with IPv6 (family inet), and only touched
  // when one of them masquerades or stack's marker says stack turned it on.
  const bool needed6 = std::any_of(tables.begin(), tables.end(),
                                   [](const FirewallTable& t) { return t.masquerade && t.family == "inet"; });
  STACK_TRY(settle_switch(needed, marker_path(dir_), ip_forward, set_ip_forward, "net.ipv4.ip_forward"));
  if (needed6 || exists(marker6_path(dir_))) {
    STACK_TRY(settle_switch(needed6, marker6_path(dir_), ip6_forward, set_ip6_forward, "net.ipv6.conf.all.forwarding")
                  .context("IPv6 forwarding"));
  }
  if (!needed && !exists(marker_path(dir_)) && !exists(marker6_path(dir_))) {
    // Stack holds nothing host-wide any more: leave nothing behind either.
    lock_.unlink();
    ::rmdir(dir_.c_str());
  }
  return util::ok();
}

Result<bool> ensure_network_firewall(const FirewallRules& rules, const std::string& dir) {
  STACK_ASSIGN_OR_RETURN(auto existing, find_firewall(rules.bridge));
  const bool current = existing && existing->holds(rules);
  const bool masquerade = rules.masquerade && !rules.internal;
  if (!masquerade && !(existing && existing->masquerade)) {
    if (!current) STACK_TRY(apply_firewall(rules));
    return !current;
  }
  if (current) {
    STACK_ASSIGN_OR_RETURN(bool enabled, ip_forward());
    bool enabled6 = true;
    if (rules.subnet6) {
      STACK_ASSIGN_OR_RETURN(enabled6, ip6_forward());
    }
    if (enabled && enabled6) return false;
  }
  STACK_ASSIGN_OR_RETURN(ForwardingLock lock, ForwardingLock::acquire(dir));
  if (!current) STACK_TRY(apply_firewall(rules));
  STACK_TRY(lock.settle().context("ip_forward"));
  return !current;
}

Result<bool> remove_network_firewall(std::string_view bridge, const std::string& dir) {
  STACK_ASSIGN_OR_RETURN(auto existing, find_firewall(bridge));
  if (!(existing && existing->masquerade) && !exists(marker_path(dir)) && !exists(marker6_path(dir))) {
    return existing ? remove_firewall(bridge) : Result<bool>(false);
  }
  STACK_ASSIGN_OR_RETURN(ForwardingLock lock, ForwardingLock::acquire(dir));
  STACK_ASSIGN_OR_RETURN(bool removed, remove_firewall(bridge));
  STACK_TRY(lock.settle().context("ip_forward"));
  return removed;
}

}  // namespace stack::net
