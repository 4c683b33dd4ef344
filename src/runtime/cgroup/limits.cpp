#include "runtime/cgroup/limits.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cmath>
#include <string_view>

namespace stack::runtime::cgroup {

using util::Errc;
using util::Result;

CpuQuota cpus_to_quota(double cpus) {
  CpuQuota q{-1, kDefaultCpuPeriodUs};
  if (!(cpus > 0)) return q;  // 0 (or NaN) means no limit, as in docker
  auto quota = static_cast<int64_t>(std::llround(cpus * static_cast<double>(kDefaultCpuPeriodUs)));
  q.quota_us = quota < 1000 ? 1000 : quota;
  return q;
}

namespace {

// One cpu list item: "3" or "0-2".
bool valid_cpu_item(std::string_view item) {
  auto dash = item.find('-');
  auto number = [](std::string_view s, long& out) {
    if (s.empty() || s.size() > 6) return false;
    out = 0;
    for (char c : s) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      out = out * 10 + (c - '0');
    }
    return true;
  };
  long lo = 0, hi = 0;
  if (dash == std::string_view::npos) return number(item, lo);
  return number(item.substr(0, dash), lo) && number(item.substr(dash + 1), hi) && lo <= hi;
}

bool valid_cpu_list(std::string_view list) {
  if (list.empty()) return false;
  while (true) {
    auto comma = list.find(',');
    if (!valid_cpu_item(list.substr(0, comma))) return false;
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

class Violations {
 public:
  void range(const char* field, int64_t v, int64_t lo, int64_t hi, bool minus_one_ok = false) {
    if (minus_one_ok && v == -1) return;
    if (v < lo || v > hi) {
      add("'" + std::string(field) + "' " + std::to_string(v) + " is out of range " +
          std::to_string(lo) + ".." + std::to_string(hi) + (minus_one_ok ? " (or -1)" : ""));
    }
  }
  void add(std::string msg) {
    if (!text_.empty()) text_ += "; ";
    text_ += msg;
  }
  Result<void> result() const {
    if (text_.empty()) return util::ok();
    return util::fail(Errc::invalid_argument, "limits: " + text_);
  }

 private:
  std::string text_;
};

void check_devices(Violations& v, const char* field, const std::vector<DeviceLimit>& devices) {
  for (const auto& d : devices) {
    if (d.rate == 0) {
      v.add("'" + std::string(field) + "' for device " + std::to_string(d.major) + ":" +
            std::to_string(d.minor) + " must be greater than 0");
    }
  }
}

}  // namespace

Result<void> validate(const Limits& l) {
  constexpr int64_t kMax = INT64_MAX;
  Violations v;
  if (l.memory_bytes) v.range("memory_bytes", *l.memory_bytes, 1, kMax);
  if (l.memory_swap_bytes) {
    v.range("memory_swap_bytes", *l.memory_swap_bytes, 1, kMax, true);
    // docker's rule: memory+swap is a total, meaningless without the memory part.
    if (!l.memory_bytes) v.add("'memory_swap_bytes' needs 'memory_bytes'");
    if (l.memory_bytes && *l.memory_swap_bytes != -1 && *l.memory_swap_bytes < *l.memory_bytes)
      v.add("'memory_swap_bytes' must be at least 'memory_bytes' (it is memory+swap)");
  }
  if (l.memory_reservation_bytes) {
    v.range("memory_reservation_bytes", *l.memory_reservation_bytes, 0, kMax);
    if (l.memory_bytes && *l.memory_reservation_bytes > *l.memory_bytes)
      v.add("'memory_reservation_bytes' must not exceed 'memory_bytes'");
  }
  if (l.memory_swappiness) v.range("memory_swappiness", *l.memory_swappiness, 0, 100);
  if (l.pids_max) v.range("pids_max", *l.pids_max, 1, kMax, true);
  if (l.cpu_quota_us) v.range("cpu_quota_us", *l.cpu_quota_us, 1000, kMax, true);
  if (l.cpu_period_us) v.range("cpu_period_us", *l.cpu_period_us, 1000, 1000000);
  if (l.cpu_rt_period_us) v.range("cpu_rt_period_us", *l.cpu_rt_period_us, 1, 1000000);
  if (l.cpu_rt_runtime_us) {
    v.range("cpu_rt_runtime_us", *l.cpu_rt_runtime_us, 0, 1000000);
    if (*l.cpu_rt_runtime_us > l.cpu_rt_period_us.value_or(kDefaultRtPeriodUs))
      v.add("'cpu_rt_runtime_us' must not exceed 'cpu_rt_period_us' (default 1000000)");
  }
  if (l.cpu_shares) v.range("cpu_shares", static_cast<int64_t>(std::min<uint64_t>(*l.cpu_shares, kMax)), 2, 262144);
  if (l.cpuset_cpus && !valid_cpu_list(*l.cpuset_cpus))
    v.add("'cpuset_cpus' '" + *l.cpuset_cpus + "' is not a cpu list such as '0-2,4'");
  if (l.blkio_weight) v.range("blkio_weight", *l.blkio_weight, 10, 1000);
  check_devices(v, "read_bps", l.read_bps);
  check_devices(v, "write_bps", l.write_bps);
  check_devices(v, "read_iops", l.read_iops);
  check_devices(v, "write_iops", l.write_iops);
  return v.result();
}

}  // namespace stack::runtime::cgroup
