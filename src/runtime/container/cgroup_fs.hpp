// A container's cgroups from the inside: joining them (cgroup v1), and /sys/fs/cgroup inside a
// container, as runc and crun mount it: the host's hierarchies seen from
// the container's cgroup namespace, so that a JVM, Go's GOMAXPROCS tuners or .NET read the limits
// of the container's own cgroup. Internal to src/runtime/container.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "runtime/cgroup/factory.hpp"

namespace stack::runtime {

struct CgroupFsLayout {
  struct V1Mount {
    std::string dir;      // under /sys/fs/cgroup: "memory", "cpu,cpuacct"
    std::string options;  // the hierarchy's controllers, which a v1 mount must name exactly
    bool operator==(const V1Mount&) const = default;
  };
  bool unified = false;          // a v2 host: cgroup2 at /sys/fs/cgroup itself
  std::vector<V1Mount> v1;       // otherwise a tmpfs holding one mount per v1 hierarchy
  std::vector<std::pair<std::string, std::string>> links;  // "cpu" -> "cpu,cpuacct", as systemd makes them
  std::string hybrid_unified;    // the hybrid cgroup2 mount's dir ("unified"), empty if none
  bool empty() const { return !unified && v1.empty() && hybrid_unified.empty(); }
};

// The layout that mirrors a host's hierarchy (pure, for tests).
CgroupFsLayout cgroup_fs_layout(const cgroup::Hierarchy& host);

// The host's, detected on the first call and kept for the process (the shim creates a container per
// start). Empty when detection fails: the container then gets no /sys/fs/cgroup, as before.
// Call it in the parent before clone: the child reads what the parent found.
const CgroupFsLayout& host_cgroup_fs_layout();

// Mounts layout at /sys/fs/cgroup of the current root (after pivot_root, in the container's own
// cgroup namespace): read-only unless read_only is false.
util::Result<void> mount_cgroup_fs(const CgroupFsLayout& layout, bool read_only);

// Moves the calling single-threaded process into a cgroup v1 cgroup through its `tasks` files
// (cgroup::Manager::self_join_files), closing them; the container's child and exec's process call
// it first thing.
util::Result<void> join_cgroup_itself(const std::vector<int>& tasks_fds);

}  // namespace stack::runtime
