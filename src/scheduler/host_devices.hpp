// The host side of compose `devices`: the node (or every node below a directory, as docker takes
// `/dev/snd`) that a mapping names, with its type, numbers, mode and owner, for the runtime to make
// the same nodes in the container and allow them in the devices cgroup.
#pragma once

#include <string>
#include <vector>

#include "runtime/container/config.hpp"
#include "spec/model.hpp"
#include "util/result.hpp"

namespace stack::scheduler {

// Fails naming the path when it is missing or neither a device node nor a directory holding one.
util::Result<std::vector<runtime::DeviceNode>> host_device_nodes(const spec::DeviceMapping& mapping);

// A privileged container's: every device node under the host's /dev at the same path, as docker
// gives them (runc's host devices): not those under pts, shm, mqueue, fd and the container
// managers' hidden directories, not /dev/console or /dev/ptmx, not symlinks. All access ("rwm").
std::vector<runtime::DeviceNode> all_host_device_nodes(const std::string& dev = "/dev");

}  // namespace stack::scheduler
