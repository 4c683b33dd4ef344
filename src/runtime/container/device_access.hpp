// The devices cgroup rules of one container, from its config: every device when privileged (as
// docker's --privileged), else the defaults every container gets, its device nodes and its extra
// rules. The shim applies them (cgroup::Limits::devices) before the container process joins.
#pragma once

#include <vector>

#include "runtime/cgroup/devices.hpp"
#include "runtime/container/config.hpp"

namespace stack::runtime {

// Fails naming the device node or rule that is malformed (validate() reports it first).
Result<std::vector<cgroup::DeviceRule>> allowed_devices(const ContainerConfig& config);

}  // namespace stack::runtime
