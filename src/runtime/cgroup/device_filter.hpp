// cgroup v2 has no devices files: access is decided by an eBPF program of type
// BPF_PROG_TYPE_CGROUP_DEVICE attached to the cgroup, which the kernel runs on every open and
// mknod of a device node. device_program compiles allow rules into that program (pure, so that it
// is unit-tested without root); attach_device_filter loads and attaches it. The attachment is held
// by the cgroup and goes with it: nothing to clean up.
#pragma once

#include <linux/bpf.h>

#include <string>
#include <vector>

#include "runtime/cgroup/devices.hpp"
#include "util/result.hpp"

namespace stack::runtime::cgroup {

// Returns 1 (allow) when the access matches one rule, 0 (deny, EPERM) otherwise. The rules are
// checked in order; the program is a straight run of one block per rule, each jumping to the next
// block on the first mismatch.
std::vector<bpf_insn> device_program(const std::vector<DeviceRule>& rules);

// Loads the program for the rules and attaches it to the cgroup directory (replacing a program
// this runtime attached before, so that re-applying limits is idempotent).
util::Result<void> attach_device_filter(const std::string& cgroup_dir, const std::vector<DeviceRule>& rules);

}  // namespace stack::runtime::cgroup
