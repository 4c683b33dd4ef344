// The cpu and cpuset controllers' rows of the settings tables, and the unit conversions that
// docker's flags need on cgroup v2.
#include "runtime/cgroup/settings.hpp"

namespace stack::runtime::cgroup {

uint64_t shares_to_weight(uint64_t shares) {
  // Maps [2, 262144] linearly onto [1, 10000]; outside values are clamped first so that the result
  // is always a value the kernel accepts.
  if (shares < 2) shares = 2;
  if (shares > 262144) shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

void cpu_settings_v1(const Limits& l, std::vector<Setting>& out) {
  // Period before quota: the kernel checks the quota/period ratio against the parent's.
  if (l.cpu_period_us) out.push_back({"cpu", "cpu.cfs_period_us", std::to_string(*l.cpu_period_us)});
  if (l.cpu_quota_us) out.push_back({"cpu", "cpu.cfs_quota_us", std::to_string(*l.cpu_quota_us)});
  if (l.cpu_shares) out.push_back({"cpu", "cpu.shares", std::to_string(*l.cpu_shares)});
  // Period before runtime, as for CFS; the parents' budgets are raised before (cgroup_v1.cpp).
  if (l.cpu_rt_period_us) out.push_back({"cpu", "cpu.rt_period_us", std::to_string(*l.cpu_rt_period_us)});
  if (l.cpu_rt_runtime_us) out.push_back({"cpu", "cpu.rt_runtime_us", std::to_string(*l.cpu_rt_runtime_us)});
  // cpuset.mems is not a user limit: the v1 writer copies it (and empty parents) from the parent.
  if (l.cpuset_cpus) out.push_back({"cpuset", "cpuset.cpus", *l.cpuset_cpus});
}

void cpu_settings_v2(const Limits& l, std::vector<Setting>& out) {
  // v2 has one file for both: "<quota|max> <period>".
  if (l.cpu_quota_us || l.cpu_period_us) {
    std::string quota = (!l.cpu_quota_us || *l.cpu_quota_us == -1) ? "max" : std::to_string(*l.cpu_quota_us);
    int64_t period = l.cpu_period_us.value_or(kDefaultCpuPeriodUs);
    out.push_back({"cpu", "cpu.max", quota + " " + std::to_string(period)});
  }
  if (l.cpu_shares) out.push_back({"cpu", "cpu.weight", std::to_string(shares_to_weight(*l.cpu_shares))});
  if (l.cpuset_cpus) out.push_back({"cpuset", "cpuset.cpus", *l.cpuset_cpus});
}

}  // namespace stack::runtime::cgroup
