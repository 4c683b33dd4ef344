#include "runtime/security/capabilities.hpp"

#include <sys/capability.h>

#include <algorithm>
#include <cctype>

namespace stack::runtime::security {

using util::Errc;
using util::Error;

namespace {

// Docker's default set (moby oci/caps/defaults.go).
constexpr int kDefaultCaps[] = {
    CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FSETID,  CAP_FOWNER,    CAP_MKNOD,
    CAP_NET_RAW, CAP_SETGID,      CAP_SETUID,  CAP_SETFCAP,   CAP_SETPCAP,
    CAP_NET_BIND_SERVICE,         CAP_SYS_CHROOT, CAP_KILL,   CAP_AUDIT_WRITE,
};

CapSet bit(int cap) { return CapSet{1} << cap; }

bool has_all(const std::vector<std::string>& names) {
  return std::any_of(names.begin(), names.end(), [](const std::string& n) {
    std::string upper = n;
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return upper == "ALL";
  });
}

Result<CapSet> set_from_names(const std::vector<std::string>& names) {
  CapSet set = 0;
  for (const auto& n : names) {
    STACK_ASSIGN_OR_RETURN(int cap, capability_from_name(n));
    set |= bit(cap);
  }
  return set;
}

}  // namespace

int last_capability() {
  int bits = cap_max_bits();  // what the running kernel supports
  return bits > 0 ? bits - 1 : CAP_LAST_CAP;
}

CapSet all_capabilities() {
  int last = last_capability();
  return last >= 63 ? ~CapSet{0} : (bit(last + 1) - 1);
}

CapSet default_capabilities() {
  CapSet set = 0;
  for (int cap : kDefaultCaps) set |= bit(cap);
  return set;
}

Result<int> capability_from_name(std::string_view name) {
  std::string lower;
  for (char ch : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower.rfind("cap_", 0) != 0) lower = "cap_" + lower;
  bool valid = lower.size() > 4 && std::all_of(lower.begin() + 4, lower.end(), [](char ch) {
                 return std::islower(static_cast<unsigned char>(ch)) || ch == '_';
               });
  cap_value_t value;
  if (!valid || cap_from_name(lower.c_str(), &value) != 0 || value > last_capability()) {
    return Error(Errc::invalid_argument, "unknown capability '" + std::string(name) + "'");
  }
  return static_cast<int>(value);
}

std::string capability_name(int cap) {
  char* raw = cap_to_name(static_cast<cap_value_t>(cap));
  std::string name = raw ? raw : std::to_string(cap);
  cap_free(raw);
  if (name.rfind("cap_", 0) == 0) name.erase(0, 4);
  for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return name;
}

std::vector<std::string> capability_names(CapSet set) {
  std::vector<std::string> names;
  for (int cap = 0; cap <= 63; ++cap) {
    if (set & bit(cap)) names.push_back(capability_name(cap));
  }
  return names;
}

Result<CapSet> compute_capabilities(const CapabilityConfig& config) {
  if (config.privileged) return all_capabilities();
  bool add_all = has_all(config.add);
  bool drop_all = has_all(config.drop);
  std::vector<std::string> add, drop;
  for (const auto& n : config.add) if (!has_all({n})) add.push_back(n);
  for (const auto& n : config.drop) if (!has_all({n})) drop.push_back(n);
  STACK_ASSIGN_OR_RETURN(CapSet add_set, set_from_names(add));
  STACK_ASSIGN_OR_RETURN(CapSet drop_set, set_from_names(drop));
  if (add_all) return all_capabilities() & ~drop_set;
  if (drop_all) return add_set;
  return (default_capabilities() & ~drop_set) | add_set;
}

Result<void> drop_bounding(CapSet set) {
  for (int cap = 0; cap <= last_capability(); ++cap) {
    if (set & bit(cap)) continue;
    if (cap_drop_bound(static_cast<cap_value_t>(cap)) != 0) {
      return Error::from_errno("drop capability '" + capability_name(cap) + "' from the bounding set");
    }
  }
  return util::ok();
}

Result<CapSet> current_permitted() {
  cap_t caps = cap_get_proc();
  if (!caps) return Error::from_errno("read capabilities");
  CapSet set = 0;
  for (int cap = 0; cap <= last_capability(); ++cap) {
    cap_flag_value_t v = CAP_CLEAR;
    if (cap_get_flag(caps, static_cast<cap_value_t>(cap), CAP_PERMITTED, &v) == 0 && v == CAP_SET) {
      set |= bit(cap);
    }
  }
  cap_free(caps);
  return set;
}

Result<void> apply_capabilities(CapSet set) {
  // A capability this process does not hold cannot be granted (here: CAP_SYS_RESOURCE is outside
  // the host's bounding set); privileged gets everything there is rather than a failure.
  STACK_ASSIGN_OR_RETURN(CapSet held, current_permitted());
  set &= held;
  std::vector<cap_value_t> values;
  for (int cap = 0; cap <= last_capability(); ++cap) {
    if (set & bit(cap)) values.push_back(static_cast<cap_value_t>(cap));
  }
  cap_t caps = cap_init();
  if (!caps) return Error::from_errno("cap_init");
  int n = static_cast<int>(values.size());
  bool ok = n == 0 || (cap_set_flag(caps, CAP_EFFECTIVE, n, values.data(), CAP_SET) == 0 &&
                       cap_set_flag(caps, CAP_PERMITTED, n, values.data(), CAP_SET) == 0 &&
                       cap_set_flag(caps, CAP_INHERITABLE, n, values.data(), CAP_SET) == 0);
  ok = ok && cap_set_proc(caps) == 0;
  int err = errno;
  cap_free(caps);
  if (!ok) return Error::from_errno("set capabilities", err);
  if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() != 0) {
    return Error::from_errno("clear ambient capabilities");
  }
  return util::ok();
}

}  // namespace stack::runtime::security
