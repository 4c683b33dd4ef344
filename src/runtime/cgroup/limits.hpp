// Resource limits of one container, as the user wrote them (docker's units and ranges), and the pure
// checks on them. Nothing here knows which cgroup version is mounted: settings.hpp maps Limits to
// cgroup files for v1 and for v2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/cgroup/devices.hpp"
#include "util/result.hpp"

namespace stack::runtime::cgroup {

// A per-device throttle: bytes or I/O operations per second on block device major:minor.
struct DeviceLimit {
  uint32_t major = 0;
  uint32_t minor = 0;
  uint64_t rate = 0;
  bool operator==(const DeviceLimit&) const = default;
};

struct Limits {
  std::optional<int64_t> memory_bytes;
  std::optional<int64_t> memory_swap_bytes;  // memory+swap total, as docker's --memory-swap; -1 unlimited
  std::optional<int64_t> memory_reservation_bytes;  // soft limit
  std::optional<int64_t> memory_swappiness;         // 0..100; v1 only (v2 has none: a note)
  bool oom_kill_disable = false;                    // v1 only (v2 has none: a note)
  std::optional<int64_t> pids_max;                  // -1 unlimited
  std::optional<int64_t> cpu_quota_us;              // -1 unlimited
  std::optional<int64_t> cpu_period_us;
  // Real-time (SCHED_FIFO/RR) time per period; v1 only, with CONFIG_RT_GROUP_SCHED. The parents'
  // budgets are raised to what their children hold (cgroup_v1.cpp, rt_budget).
  std::optional<int64_t> cpu_rt_runtime_us;
  std::optional<int64_t> cpu_rt_period_us;
  std::optional<uint64_t> cpu_shares;  // docker shares, 2..262144
  std::optional<std::string> cpuset_cpus;  // "0-2,4"
  std::optional<uint16_t> blkio_weight;    // 10..1000
  std::vector<DeviceLimit> read_bps;
  std::vector<DeviceLimit> write_bps;
  std::vector<DeviceLimit> read_iops;
  std::vector<DeviceLimit> write_iops;
  // The devices the container may use (everything else is denied); nullopt leaves device access
  // as the parent cgroup has it. The shim always sets it (devices.hpp).
  std::optional<std::vector<DeviceRule>> devices;

  bool operator==(const Limits&) const = default;
};

struct CpuQuota {
  int64_t quota_us = 0;
  int64_t period_us = 0;
  bool operator==(const CpuQuota&) const = default;
};

inline constexpr int64_t kDefaultCpuPeriodUs = 100000;
// A new v1 cgroup's cpu.rt_period_us.
inline constexpr int64_t kDefaultRtPeriodUs = 1000000;

// docker --cpus: 1.5 -> {150000, 100000}. The kernel refuses quotas below 1 ms, so tiny values are
// raised to 1000 us rather than rejected later by a write that the user cannot relate to.
CpuQuota cpus_to_quota(double cpus);

// Every violation of the kernel's (and docker's) ranges, one error naming the field, so that a bad
// value is reported before any cgroup is made. E.g. "limits: 'cpu_shares' 1 is out of range 2..262144".
util::Result<void> validate(const Limits& limits);

}  // namespace stack::runtime::cgroup
