// The one rule for which sysctls a container may set: only those the kernel namespaces (net.* in a
// network namespace of its own or shared with another container, the IPC limits, fs.mqueue.*).
// Anything else would change the host. The stack file is judged by it (spec) and the runtime
// asserts it again before it writes /proc/sys.
#pragma once

#include <string_view>

namespace stack::util {

// Why `name` cannot be set in a container ("is not namespaced (it would change the host)"), or ""
// when it can. host_network, host_ipc: the container shares the host's network or IPC namespace.
std::string_view sysctl_refusal(std::string_view name, bool host_network, bool host_ipc = false);

}  // namespace stack::util
