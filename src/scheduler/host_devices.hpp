// The host side of compose `devices`: the node (or every node below a directory, as docker takes
// `/dev/snd`) that a mapping names, with its type, numbers, mode and owner, for the runtime to make
// the same nodes in the container and allow them in the devices cgroup.
#pragma once

#include <vector>

#include "runtime/container/config.hpp"
#include "spec/model.hpp"
#include "util/result.hpp"

namespace stack::scheduler {

// Fails naming the path when it is missing or neither a device node nor a directory holding one.
util::Result<std::vector<runtime::DeviceNode>> host_device_nodes(const spec::DeviceMapping& mapping);

}  // namespace stack::scheduler
