// Device access of a container: allow rules in the shape of the v1 devices controller ("c 1:3 rwm"),
// written to devices.allow on cgroup v1 and compiled into an eBPF program on cgroup v2
// (device_filter.hpp). Everything not allowed is denied, as docker, runc and crun do: without these
// rules a container keeps CAP_MKNOD and could make and open any host device node.
#pragma once

#include <vector>

#include "util/device_rule.hpp"

namespace stack::runtime::cgroup {

using util::DeviceRule;
using util::DeviceType;
using util::kAccessAll;
using util::kAccessMknod;
using util::kAccessRead;
using util::kAccessWrite;

// What every container may use: mknod of any node (opening it is another matter), /dev/null, zero,
// full, random, urandom, tty, console, ptmx, its own ptys and tun; the list docker and runc allow.
std::vector<DeviceRule> default_device_rules();

}  // namespace stack::runtime::cgroup
