// Real-time CPU time in cgroup v1 (CONFIG_RT_GROUP_SCHED). A group may give its tasks SCHED_FIFO or
// SCHED_RR time only within its cpu.rt_runtime_us, and the kernel lets a group hold no more than
// its parent holds for all its children together; a new group holds none. So before a container
// gets its own budget, its ancestors below the root (stack, stack/<project>) are raised to what
// their children hold plus its share, and after it is gone they are lowered to what their
// remaining children hold: stack never keeps more of the host's real-time time than its
// containers use. Ancestors keep the kernel's default period (1 s); shares are compared per
// second, rounded up. Every change is made under one lock, an flock on the cpu hierarchy's
// `stack` directory, which every project and state root shares.
#pragma once

#include <string>

#include "runtime/cgroup/limits.hpp"
#include "util/file_lock.hpp"
#include "util/result.hpp"

namespace stack::runtime::cgroup::detail {

// Whether the group at dir holds real-time time (false when it or the file is absent).
bool holds_rt_budget(const std::string& dir);

// The lock on <cpu_root>/stack.
util::Result<util::FileLock> lock_rt_budgets(const std::string& cpu_root);

// With the lock held and <cpu_root>/<rel> made: raises each ancestor of rel below the root to what
// its children would hold with rel's share (limits' runtime per period).
util::Result<void> reserve_rt_budget(const std::string& cpu_root, const std::string& rel, const Limits& limits);

// With the lock held, before <cpu_root>/<rel> is removed and with no task left in it: sets its own
// budget to 0, then lowers each ancestor to what its children hold. (Before, not after: a removed
// group stays its parent's child for the kernel's check until it is released, some time later.)
util::Result<void> release_rt_budget(const std::string& cpu_root, const std::string& rel);

}  // namespace stack::runtime::cgroup::detail
