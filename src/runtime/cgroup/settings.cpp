// Composes the per-controller tables; pids is one row and devices a short loop, so they live here.
#include "runtime/cgroup/settings.hpp"

namespace stack::runtime::cgroup {

namespace {

void pids_settings(const Limits& l, std::vector<Setting>& out) {
  if (l.pids_max) {
    out.push_back({"pids", "pids.max", *l.pids_max == -1 ? "max" : std::to_string(*l.pids_max)});
  }
}

// v1: deny everything, then allow each rule. (v2 has no files for this: cgroup_v2.cpp attaches an
// eBPF program instead.)
void device_settings_v1(const Limits& l, std::vector<Setting>& out) {
  if (!l.devices) return;
  out.push_back({"devices", "devices.deny", "a"});
  for (const auto& rule : *l.devices) out.push_back({"devices", "devices.allow", to_string(rule)});
}

}  // namespace

std::vector<Setting> settings_v1(const Limits& limits) {
  std::vector<Setting> out;
  memory_settings_v1(limits, out);
  cpu_settings_v1(limits, out);
  pids_settings(limits, out);
  blkio_settings_v1(limits, out);
  device_settings_v1(limits, out);
  return out;
}

std::vector<Setting> settings_v2(const Limits& limits) {
  std::vector<Setting> out;
  memory_settings_v2(limits, out);
  cpu_settings_v2(limits, out);
  pids_settings(limits, out);
  io_settings_v2(limits, out);
  return out;
}

}  // namespace stack::runtime::cgroup
