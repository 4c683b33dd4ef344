// Privilege keys: cap_add / cap_drop (checked against the kernel's capability names),
// sysctls (namespaced ones only: util/namespaced_sysctl.hpp) and security_opt (what the runtime
// honours: spec/security_opt.hpp).
#include <algorithm>
#include <array>
#include <cctype>

#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"
#include "spec/security_opt.hpp"
#include "spec/suggest.hpp"
#include "util/namespaced_sysctl.hpp"

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

// Docker's --group-add: a name resolved in the image's /etc/group when the container starts, or a gid.
void read_group_add(ServiceDraft& d, const Node& v, const std::string& p) {
  auto list = read_string_list(v, p, *d.diags);
  if (!list) return;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string& g = (*list)[i];
    if (g.empty() || g.find_first_of(": \t\n") != std::string::npos) {
      d.error(v.items[i], index_path(p, i), "'" + g + "' is not a group name or id");
    } else if (std::find(d.service.group_add.begin(), d.service.group_add.end(), g) == d.service.group_add.end()) {
      d.service.group_add.push_back(g);
    }
  }
}

namespace {

// The node that names one sysctl, and its key path: its key in the mapping form, its "K=V" item in
// the list form.
Sourced<std::string> sysctl_node(const Node& v, const std::string& name, const std::string& p) {
  if (v.is_mapping()) {
    for (const auto& [k, val] : v.entries)
      if (k.scalar == name) return {join_path(p, name), &k};
  }
  for (size_t i = 0; i < v.items.size(); ++i) {
    const std::string& item = v.items[i].scalar;
    if (item.compare(0, name.size(), name) == 0 && (item.size() == name.size() || item[name.size()] == '='))
      return {index_path(p, i), &v.items[i]};
  }
  return {join_path(p, name), &v};
}

}  // namespace

void read_sysctls(ServiceDraft& d, const Node& v, const std::string& p) {
  auto map = read_string_map(v, p, *d.diags);
  if (!map) return;
  for (const auto& [k, val] : *map) {
    // Only namespaced sysctls can be set per container: util::sysctl_refusal is the one rule, and
    // the runtime asserts it again. The host network's net.* are judged in finish_security.
    Sourced<std::string> where = sysctl_node(v, k, p);
    std::string_view why = util::sysctl_refusal(k, false);
    if (!why.empty()) {
      d.error(*where.node, where.value, "'" + k + "' " + std::string(why));
      continue;
    }
    d.service.sysctls[k] = val;
    d.sysctl_nodes[k] = where;
  }
}

namespace {

// What the runtime honours of each option; the message for what it does not.
std::optional<std::string> security_opt_refusal(const SecurityOpt& o) {
  if (o.name == "no-new-privileges") {
    if (!o.has_value || parse_go_bool(o.value)) return std::nullopt;
    return "'" + o.value + "' is not a boolean";
  }
  if (o.name == "disable" && !o.has_value) return std::nullopt;  // docker's bare form of label=disable
  if (!o.has_value) return "'" + o.name + "' needs a value ('" + o.name + "=...')";
  if (o.name == "seccomp") {
    if (o.value == "unconfined" || o.value == "builtin") return std::nullopt;
    return "not supported yet: seccomp profile files (the runtime has its default profile, "
           "'builtin', and 'unconfined')";
  }
  if (o.name == "apparmor") {
    if (o.value == "unconfined") return std::nullopt;
    return "not supported: the runtime loads no AppArmor profile (only 'unconfined', which every "
           "container is)";
  }
  if (o.name == "label") {
    if (o.value == "disable") return std::nullopt;
    return "not supported: the runtime applies no SELinux labels (only 'disable', which every "
           "container is)";
  }
  if (o.value == "unconfined") return std::nullopt;  // systempaths
  return "unknown value '" + o.value + "' (only 'unconfined')";
}

}  // namespace

void read_security_opt(ServiceDraft& d, const Node& v, const std::string& p) {
  auto list = read_string_list(v, p, *d.diags);
  if (!list) return;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string& opt = (*list)[i];
    SecurityOpt o = split_security_opt(opt);
    static constexpr std::string_view kNames[] = {"label", "apparmor", "seccomp",
                                                  "no-new-privileges", "systempaths", "disable"};
    if (std::find(std::begin(kNames), std::end(kNames), o.name) == std::end(kNames)) {
      d.error(v.items[i], index_path(p, i),
              "unknown security option '" + o.name + "'" + did_you_mean(o.name, kNames));
      continue;
    }
    if (auto why = security_opt_refusal(o)) {
      d.error(v.items[i], index_path(p, i), *why);
      continue;
    }
    d.service.security_opt.push_back(opt);
  }
}

void finish_security(ServiceDraft& d) {
  bool host_network = d.service.network_mode.kind == NetworkMode::Kind::host;
  bool host_ipc = d.service.ipc.kind == NamespaceMode::Kind::host;
  if (!host_network && !host_ipc) return;
  for (const auto& [name, where] : d.sysctl_nodes) {
    std::string_view why = util::sysctl_refusal(name, host_network, host_ipc);
    if (!why.empty()) d.error(*where.node, where.value, "'" + name + "' " + std::string(why));
  }
}

}  // namespace stack::spec
