// Privilege keys: cap_add / cap_drop (checked against the kernel's capability names),
// sysctls and security_opt.
#include <algorithm>
#include <array>
#include <cctype>

#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"
#include "spec/suggest.hpp"

namespace stack::spec {

namespace {

// linux/capability.h, without the CAP_ prefix, up to CAP_CHECKPOINT_RESTORE (5.9).
constexpr std::array<std::string_view, 41> kCapabilities{
    "CHOWN",          "DAC_OVERRIDE",   "DAC_READ_SEARCH", "FOWNER",          "FSETID",
    "KILL",           "SETGID",         "SETUID",          "SETPCAP",         "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN",      "NET_RAW",         "IPC_LOCK",
    "IPC_OWNER",      "SYS_MODULE",     "SYS_RAWIO",       "SYS_CHROOT",      "SYS_PTRACE",
    "SYS_PACCT",      "SYS_ADMIN",      "SYS_BOOT",        "SYS_NICE",        "SYS_RESOURCE",
    "SYS_TIME",       "SYS_TTY_CONFIG", "MKNOD",           "LEASE",           "AUDIT_WRITE",
    "AUDIT_CONTROL",  "SETFCAP",        "MAC_OVERRIDE",    "MAC_ADMIN",       "SYSLOG",
    "WAKE_ALARM",     "BLOCK_SUSPEND",  "AUDIT_READ",      "PERFMON",         "BPF",
    "CHECKPOINT_RESTORE"};

std::string upper(std::string s) {
  for (auto& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

void read_caps(ServiceDraft& d, const Node& v, const std::string& p) {
  auto list = read_string_list(v, p, *d.diags);
  if (!list) return;
  bool add = p.size() >= 7 && p.compare(p.size() - 7, 7, "cap_add") == 0;
  std::vector<std::string>& out = add ? d.service.cap_add : d.service.cap_drop;
  for (size_t i = 0; i < list->size(); ++i) {
    std::string cap = upper((*list)[i]);
    if (cap.rfind("CAP_", 0) == 0) cap = cap.substr(4);
    bool known = cap == "ALL" ||
                 std::find(kCapabilities.begin(), kCapabilities.end(), cap) != kCapabilities.end();
    if (!known) {
      d.error(v.items[i], index_path(p, i),
              "unknown capability '" + (*list)[i] + "'" + did_you_mean(cap, kCapabilities));
      continue;
    }
    if (std::find(out.begin(), out.end(), cap) == out.end()) out.push_back(cap);
  }
}

void read_sysctls(ServiceDraft& d, const Node& v, const std::string& p) {
  auto map = read_string_map(v, p, *d.diags);
  if (!map) return;
  for (const auto& [k, val] : *map) {
    // Only namespaced sysctls can be set per container; the runtime checks which ones.
    if (k.find('/') != std::string::npos || k.find("..") != std::string::npos) {
      d.error(v, join_path(p, k), "'" + k + "' is not a valid sysctl name");
      continue;
    }
    d.service.sysctls[k] = val;
  }
}

void read_security_opt(ServiceDraft& d, const Node& v, const std::string& p) {
  auto list = read_string_list(v, p, *d.diags);
  if (!list) return;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string& opt = (*list)[i];
    size_t sep = opt.find_first_of(":=");
    std::string name = opt.substr(0, sep);
    static constexpr std::string_view kNames[] = {"label", "apparmor", "seccomp",
                                                  "no-new-privileges", "systempaths"};
    if (std::find(std::begin(kNames), std::end(kNames), name) == std::end(kNames)) {
      d.error(v.items[i], index_path(p, i),
              "unknown security option '" + name + "'" + did_you_mean(name, kNames));
      continue;
    }
    d.service.security_opt.push_back(opt);
  }
}

}  // namespace stack::spec
