#include "runtime/cgroup/factory.hpp"

#include <linux/magic.h>
#include <sys/statfs.h>

#include <algorithm>
#include <set>

#include "runtime/cgroup/cgroup_v1.hpp"
#include "runtime/cgroup/cgroup_v2.hpp"
#include "runtime/cgroup/cgroupfs.hpp"

namespace stack::runtime::cgroup {

using util::Errc;
using util::Result;

namespace {

constexpr const char* kCgroupRoot = "/sys/fs/cgroup";

// Controller names a v1 mount can carry; other super options (rw, name=systemd, clone_children,
// release_agent=...) are not controllers.
const std::set<std::string_view> kV1Controllers = {
    "blkio", "cpu",     "cpuacct", "cpuset",     "devices", "freezer", "hugetlb",
    "memory", "net_cls", "net_prio", "perf_event", "pids",    "rdma",    "misc"};

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    auto at = text.find(sep);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + 1);
  }
}

bool is_octal(char c) { return c >= '0' && c <= '7'; }

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && is_octal(s[i + 1]) && is_octal(s[i + 2]) && is_octal(s[i + 3])) {
      int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
      out.push_back(static_cast<char>(v));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

Hierarchy Hierarchy::v2_at(std::string unified_root) {
  Hierarchy h;
  h.version = Version::v2;
  h.unified = std::move(unified_root);
  return h;
}

Hierarchy parse_mountinfo_v1(std::string_view mountinfo) {
  Hierarchy h;
  h.version = Version::v1;
  for (std::string_view line : split(mountinfo, '\n')) {
    // "<id> <parent> <maj:min> <root> <mount point> <options> [optional...] - <fstype> <source> <super options>"
    auto fields = split(line, ' ');
    auto dash = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 5 || dash == fields.end() || fields.end() - dash < 4) continue;
    std::string_view fstype = dash[1];
    std::string mount_point = unescape(fields[4]);
    if (fstype == "cgroup2" && h.unified.empty()) h.unified = mount_point;
    if (fstype != "cgroup") continue;
    for (std::string_view opt : split(dash[3], ',')) {
      if (kV1Controllers.count(opt)) h.controllers.emplace(std::string(opt), mount_point);
    }
  }
  return h;
}

Result<Hierarchy> detect_hierarchy() {
  struct statfs st {};
  if (::statfs(kCgroupRoot, &st) != 0) return util::Error::from_errno(std::string("statfs '") + kCgroupRoot + "'");
  if (st.f_type == CGROUP2_SUPER_MAGIC) return Hierarchy::v2_at(kCgroupRoot);
  STACK_ASSIGN_OR_RETURN(std::string text, fs::read_file("/proc/self/mountinfo"));
  Hierarchy h = parse_mountinfo_v1(text);
  if (h.controllers.empty()) {
    return util::fail(Errc::unsupported, std::string("no cgroup controller is mounted (neither cgroup2 at '") +
                                             kCgroupRoot + "' nor a cgroup v1 hierarchy)");
  }
  return h;
}

Result<void> check_relative_path(std::string_view path, std::size_t min_depth) {
  auto parts = split(path, '/');
  auto bad = [&](const std::string& why) {
    return util::fail(Errc::invalid_argument, "cgroup path '" + std::string(path) + "' " + why);
  };
  if (parts.front() != "stack") return bad("must start with 'stack/'");
  if (parts.size() < min_depth) return bad("needs at least " + std::to_string(min_depth) + " components");
  for (auto p : parts) {
    if (p.empty() || p == "." || p == "..") return bad("has an empty, '.' or '..' component");
  }
  return util::ok();
}

Result<std::unique_ptr<Manager>> open_cgroup(std::string relative_path, const Hierarchy& hierarchy) {
  STACK_TRY(check_relative_path(relative_path, 3));
  if (hierarchy.version == Version::v2) {
    if (hierarchy.unified.empty()) return util::fail(Errc::invalid_argument, "cgroup v2 hierarchy without a mount point");
    return std::unique_ptr<Manager>(new V2Manager(std::move(relative_path), hierarchy.unified));
  }
  if (hierarchy.controllers.empty()) return util::fail(Errc::invalid_argument, "cgroup v1 hierarchy without controllers");
  return std::unique_ptr<Manager>(new V1Manager(std::move(relative_path), hierarchy.controllers));
}

Result<std::unique_ptr<Manager>> open_cgroup(std::string relative_path) {
  STACK_ASSIGN_OR_RETURN(Hierarchy h, detect_hierarchy());
  return open_cgroup(std::move(relative_path), h);
}

Result<std::vector<std::string>> list_children(std::string_view parent, const Hierarchy& hierarchy) {
  STACK_TRY(check_relative_path(parent, 2));
  std::set<std::string> roots;
  if (hierarchy.version == Version::v2) {
    roots.insert(hierarchy.unified);
  } else {
    for (const auto& [name, root] : hierarchy.controllers) roots.insert(root);
  }
  std::set<std::string> children;
  for (const auto& root : roots) {
    STACK_ASSIGN_OR_RETURN(auto names, fs::list_subdirs(root + "/" + std::string(parent)));
    for (auto& n : names) children.insert(std::string(parent) + "/" + n);
  }
  return std::vector<std::string>(children.begin(), children.end());
}

Result<std::vector<std::string>> list_children(std::string_view parent) {
  STACK_ASSIGN_OR_RETURN(Hierarchy h, detect_hierarchy());
  return list_children(parent, h);
}

}  // namespace stack::runtime::cgroup
