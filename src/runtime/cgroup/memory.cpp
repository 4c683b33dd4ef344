// The memory controller's rows of the settings tables.
#include "runtime/cgroup/settings.hpp"

namespace stack::runtime::cgroup {

namespace {

std::string number(int64_t v) { return std::to_string(v); }

}  // namespace

void memory_settings_v1(const Limits& l, std::vector<Setting>& out) {
  // Order matters on v1: memsw must stay >= the memory limit, and both start unlimited, so the
  // memory limit goes first.
  if (l.memory_bytes) out.push_back({"memory", "memory.limit_in_bytes", number(*l.memory_bytes)});
  if (l.memory_swap_bytes) {
    // Without swap accounting (swapaccount=0) the file is absent: fine for "unlimited", which is
    // the default anyway, but a finite memory+swap limit must not be dropped silently.
    Need need = *l.memory_swap_bytes == -1 ? Need::if_present : Need::required;
    out.push_back({"memory", "memory.memsw.limit_in_bytes", number(*l.memory_swap_bytes), need});
  }
  if (l.memory_reservation_bytes) {
    out.push_back({"memory", "memory.soft_limit_in_bytes", number(*l.memory_reservation_bytes)});
  }
  if (l.memory_swappiness) out.push_back({"memory", "memory.swappiness", number(*l.memory_swappiness)});
  if (l.oom_kill_disable) out.push_back({"memory", "memory.oom_control", "1"});
}

void memory_settings_v2(const Limits& l, std::vector<Setting>& out) {
  if (l.memory_bytes) out.push_back({"memory", "memory.max", number(*l.memory_bytes)});
  // v2 limits swap alone: memory.swap.max = (memory+swap) - memory.
  if (l.memory_swap_bytes && l.memory_bytes) {
    if (*l.memory_swap_bytes == -1) {
      out.push_back({"memory", "memory.swap.max", "max", Need::if_present});
    } else {
      out.push_back({"memory", "memory.swap.max", number(*l.memory_swap_bytes - *l.memory_bytes)});
    }
  }
  if (l.memory_reservation_bytes) {
    out.push_back({"memory", "memory.low", number(*l.memory_reservation_bytes)});
  }
}

}  // namespace stack::runtime::cgroup
