// The one place that asks which cgroup version the host mounts, and builds the matching Manager.
// A Hierarchy describes where the hierarchies are; tests pass one that points at a temporary
// directory laid out as the kernel would, or at one real hierarchy (e.g. the hybrid cgroup2 mount).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/cgroup/manager.hpp"
#include "util/result.hpp"

namespace stack::runtime::cgroup {

struct Hierarchy {
  Version version = Version::v2;
  // v2: the unified mount the cgroups are made in. v1: the hybrid cgroup2 mount if any (unused for
  // limits, recorded so that callers can build a v2 Hierarchy from it), else empty.
  std::string unified;
  // v1 only: controller name -> mount point ("cpuacct" -> "/sys/fs/cgroup/cpu,cpuacct").
  std::map<std::string, std::string> controllers;

  static Hierarchy v2_at(std::string unified_root);
};

// statfs("/sys/fs/cgroup"): CGROUP2_SUPER_MAGIC means unified; anything else is legacy or hybrid,
// whose per-controller mounts are read from /proc/self/mountinfo.
util::Result<Hierarchy> detect_hierarchy();

// The cgroup mounts listed in a mountinfo text (pure, for tests). Named hierarchies such as
// name=systemd are not controllers and are left out.
Hierarchy parse_mountinfo_v1(std::string_view mountinfo);

// relative_path is "stack/<project>/<container>": it must start with "stack/" so that the project
// only ever touches cgroups below its own parent.
util::Result<std::unique_ptr<Manager>> open_cgroup(std::string relative_path);
util::Result<std::unique_ptr<Manager>> open_cgroup(std::string relative_path, const Hierarchy& hierarchy);

// The child cgroups of "stack/<project>" as relative paths ("stack/<project>/<container>"), union
// over hierarchies, sorted; empty if the parent does not exist. For finding leftovers after a crash.
util::Result<std::vector<std::string>> list_children(std::string_view parent);
util::Result<std::vector<std::string>> list_children(std::string_view parent, const Hierarchy& hierarchy);

// Checks a relative cgroup path: "stack/..." with at least min_depth components, none empty, "."
// or "..".
util::Result<void> check_relative_path(std::string_view path, std::size_t min_depth);

}  // namespace stack::runtime::cgroup
