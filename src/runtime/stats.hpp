// What `stack stats` and `stack top` show of a running container: resource usage from its cgroup
// (cgroup::Manager::stats, v1 or v2) and network counters from its PID 1's /proc/<pid>/net/dev;
// the processes listed in its cgroup, each described from /proc.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/cgroup/manager.hpp"
#include "util/result.hpp"

namespace stack::runtime {

using util::Result;

struct ContainerStats {
  uint64_t cpu_usage_ns = 0;             // total cpu time of every process, since the cgroup was made
  uint64_t memory_usage = 0;             // bytes, as the memory controller counts them (page cache included)
  std::optional<uint64_t> memory_limit;  // nullopt: unlimited
  uint64_t pids = 0;
  // Counters of the container's own network namespace, every interface but lo; nullopt when it has
  // none of its own (network mode host) or no PID 1 runs at the moment.
  std::optional<uint64_t> net_rx_bytes;
  std::optional<uint64_t> net_tx_bytes;
  // Controllers the cgroup lacks here, whose figures above are 0 (see cgroup::Stats::missing).
  std::vector<std::string> missing;
};

struct ProcessInfo {
  pid_t pid = 0;   // as the host sees it
  pid_t ppid = 0;
  uid_t uid = 0;   // the real uid; the container's /etc/passwd names it
  char state = '?';  // R S D Z T I ... as in ps
  std::chrono::nanoseconds cpu_time{0};  // user + system
  uint64_t rss_bytes = 0;
  std::string cmdline;  // arguments joined with spaces; "[comm]" when there are none (a zombie)
};

// cgroup figures plus, when net_pid is set, the network counters of that process's namespace.
Result<ContainerStats> collect_stats(const cgroup::Manager& cgroup, std::optional<pid_t> net_pid);

// Every process in the cgroup, sorted by pid; processes that end while being read are left out.
Result<std::vector<ProcessInfo>> list_processes(const cgroup::Manager& cgroup);

}  // namespace stack::runtime
