// user, cap_add/cap_drop, privileged, read_only, security_opt -> the container's securityContext;
// sysctls -> the pod's.
#include <algorithm>
#include <array>
#include <cctype>

#include "kube/context.hpp"

namespace stack::kube {

namespace {

std::optional<int64_t> numeric_id(const std::string& text) {
  if (text.empty() || text.size() > 10 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::nullopt;
  return std::stoll(text);
}

void add_user(Context& ctx, const spec::Service& s, json& sc) {
  if (s.user.empty()) return;
  size_t colon = s.user.find(':');
  auto uid = numeric_id(s.user.substr(0, colon));
  std::optional<int64_t> gid;
  bool group_ok = colon == std::string::npos || (gid = numeric_id(s.user.substr(colon + 1)));
  if (!uid || !group_ok) {
    ctx.warnings.add(Context::path(s, "user"),
                     "'" + s.user + "' dropped: Kubernetes takes numeric ids only (runAsUser, "
                     "runAsGroup); the image's user runs");
    return;
  }
  sc["runAsUser"] = *uid;
  if (gid) sc["runAsGroup"] = *gid;
}

// label:..., apparmor=..., seccomp=..., no-new-privileges[:true], systempaths=unconfined.
void add_security_opt(Context& ctx, const spec::Service& s, json& sc) {
  for (const std::string& opt : s.security_opt) {
    size_t sep = opt.find_first_of(":=");
    std::string name = opt.substr(0, sep);
    std::string value = sep == std::string::npos ? "" : opt.substr(sep + 1);
    std::string path = Context::path(s, "security_opt");
    if (name == "no-new-privileges") {
      sc["allowPrivilegeEscalation"] = !(value.empty() || value == "true");
    } else if (name == "seccomp" && value == "unconfined") {
      sc["seccompProfile"] = {{"type", "Unconfined"}};
    } else if (name == "apparmor" && value == "unconfined") {
      sc["appArmorProfile"] = {{"type", "Unconfined"}};
    } else if (name == "apparmor" && !value.empty()) {
      sc["appArmorProfile"] = {{"type", "Localhost"}, {"localhostProfile", value}};
      ctx.warnings.add(path, "apparmor profile '" + value + "' must be loaded on every node");
    } else {
      ctx.warnings.add(path, "'" + opt + "' dropped: no securityContext field takes it (seccomp "
                             "and SELinux profiles are files or policies of the nodes)");
    }
  }
}

void add_capabilities(const spec::Service& s, json& sc) {
  json caps = json::object();
  if (!s.cap_add.empty()) caps["add"] = s.cap_add;
  if (!s.cap_drop.empty()) caps["drop"] = s.cap_drop;
  if (!caps.empty()) sc["capabilities"] = std::move(caps);
}

// Namespaced sysctls the kubelet allows without --allowed-unsafe-sysctls.
bool safe_sysctl(const std::string& name) {
  static constexpr std::array<std::string_view, 11> kSafe = {
      "kernel.shm_rmid_forced",          "net.ipv4.ip_local_port_range",
      "net.ipv4.tcp_syncookies",         "net.ipv4.ping_group_range",
      "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports",
      "net.ipv4.tcp_keepalive_time",     "net.ipv4.tcp_fin_timeout",
      "net.ipv4.tcp_keepalive_intvl",    "net.ipv4.tcp_keepalive_probes",
      "net.ipv4.tcp_rmem"};
  return std::find(kSafe.begin(), kSafe.end(), name) != kSafe.end();
}

bool namespaced_sysctl(const std::string& name) {
  for (std::string_view prefix : {"net.", "kernel.shm", "kernel.msg", "kernel.sem", "fs.mqueue."})
    if (name.rfind(prefix, 0) == 0) return true;
  return false;
}

void add_sysctls(Context& ctx, const spec::Service& s, json& pod) {
  json sysctls = json::array();
  for (const auto& [name, value] : s.sysctls) {
    std::string path = Context::path(s, "sysctls." + name);
    if (!namespaced_sysctl(name)) {
      ctx.warnings.add(path, "dropped: not a namespaced sysctl, so not a pod's to set");
      continue;
    }
    if (!safe_sysctl(name))
      ctx.warnings.add(path, "an unsafe sysctl in Kubernetes: the pod starts only on nodes whose "
                             "kubelet allows it (--allowed-unsafe-sysctls)");
    sysctls.push_back({{"name", name}, {"value", value}});
  }
  if (!sysctls.empty()) pod["securityContext"]["sysctls"] = std::move(sysctls);
  // group_add: gids are the pod's supplementalGroups; names would need the image's /etc/group.
  for (const std::string& g : s.group_add) {
    if (auto gid = numeric_id(g)) pod["securityContext"]["supplementalGroups"].push_back(*gid);
    else ctx.warnings.add(Context::path(s, "group_add"), "'" + g + "' dropped: supplementalGroups takes numeric ids only");
  }
  if (s.cgroup_host) ctx.warnings.add(Context::path(s, "cgroup"), "dropped: a pod's cgroup namespace is the kubelet's choice");
}

}  // namespace

void add_security(Context& ctx, const spec::Service& s, json& container, json& pod) {
  json sc = json::object();
  add_user(ctx, s, sc);
  add_capabilities(s, sc);
  if (s.privileged) sc["privileged"] = true;
  if (s.read_only) sc["readOnlyRootFilesystem"] = true;
  add_security_opt(ctx, s, sc);
  if (!sc.empty()) container["securityContext"] = std::move(sc);
  add_sysctls(ctx, s, pod);
}

}  // namespace stack::kube
