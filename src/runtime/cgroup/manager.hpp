// One container's cgroup, whatever the host mounts: the Manager interface, implemented by
// V1Manager (one directory per controller hierarchy) and V2Manager (one directory in the unified
// hierarchy). factory.hpp chooses between them; nothing else asks which version is mounted.
//
// Absence and idempotence are values: create() on an existing cgroup re-applies the limits and says
// it created nothing; destroy() of a missing cgroup returns false. Errors name the cgroup and the
// file: "cgroup 'stack/demo/web': write memory.limit_in_bytes: Device or resource busy".
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/cgroup/limits.hpp"
#include "util/fd.hpp"
#include "util/result.hpp"

namespace stack::runtime::cgroup {

enum class Version { v1, v2 };

// What create() did: whether it made the cgroup, and the limits it skipped on purpose (e.g. swap
// accounting off while the requested value is the kernel default), each a one-line reason.
struct Applied {
  bool created = false;
  std::vector<std::string> notes;
};

struct Stats {
  uint64_t memory_usage = 0;
  std::optional<uint64_t> memory_limit;  // nullopt: unlimited
  uint64_t cpu_usage_ns = 0;
  uint64_t pids_current = 0;
  uint64_t oom_kill_count = 0;
  // Controllers that this cgroup does not have (their fields above stay 0), e.g. {"memory"} on a
  // cgroup2 mount whose controllers are all bound to v1.
  std::vector<std::string> missing;
};

class Manager {
 public:
  virtual ~Manager() = default;

  // mkdir -p the cgroup in every hierarchy it needs and write the limits. Idempotent. On failure,
  // the directories that this call made are removed again.
  virtual util::Result<Applied> create(const Limits& limits) = 0;
  // Moves pid (all its threads) into the cgroup in every hierarchy.
  virtual util::Result<void> add_process(pid_t pid) = 0;
  // The cgroup's directory, for clone3's CLONE_INTO_CGROUP (cgroup v2 only): a process cloned into
  // it is never moved, and the first write to a cgroup.procs waits for an RCU grace period (~10 ms).
  // An empty descriptor (v1, or the directory cannot be opened): clone, then add_process.
  virtual util::UniqueFd clone_target() const { return {}; }
  // cgroup v1: this cgroup's `tasks` file in every hierarchy, open for writing (empty on v2, or if
  // one cannot be opened: then add_process). A single-threaded process that writes "0" to them
  // moves itself, which the kernel does without the global lock that moving a pid through
  // cgroup.procs takes: that lock's first use waits for an RCU grace period (7-15 ms here, per
  // container start and per exec); a self-move took 0.03 ms.
  virtual std::vector<util::UniqueFd> self_join_files() const { return {}; }
  // The processes in the cgroup (union over hierarchies), sorted. Empty if the cgroup is missing.
  virtual util::Result<std::vector<pid_t>> pids() const = 0;
  virtual util::Result<Stats> stats() const = 0;
  // True once the kernel has OOM-killed a process of this cgroup.
  virtual util::Result<bool> oom_killed() const = 0;
  // Signals every process, without the freezer. SIGKILL repeats until the cgroup is empty (bounded,
  // then a timeout error); other signals are sent once. Returns how many processes were signalled.
  virtual util::Result<std::size_t> kill_all(int signal) = 0;
  // Kills what is left, removes the cgroup in every hierarchy and then its project parent if that is
  // empty. False if nothing existed.
  virtual util::Result<bool> destroy() = 0;

  // "stack/demo/web", for display and error messages.
  virtual const std::string& path() const = 0;
  virtual Version version() const = 0;
};

}  // namespace stack::runtime::cgroup
