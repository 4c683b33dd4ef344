// Sysctls a container may set: only those the kernel namespaces (net.* with its own network
// namespace, IPC and mqueue limits). Anything else would change the host.
#pragma once

#include <map>
#include <string>

#include "runtime/container/config.hpp"

namespace stack::runtime {

// Why a sysctl is refused, or "" when it is allowed: util::sysctl_refusal, the rule the stack file
// is judged by, asserted again here.
std::string sysctl_refusal(const std::string& name, NetworkMode network, bool host_ipc = false);

// Checks every sysctl; the error names each refused one.
Result<void> check_sysctls(const std::map<std::string, std::string>& sysctls, NetworkMode network,
                           bool host_ipc = false);

// "net.ipv4.ip_forward" -> "/proc/sys/net/ipv4/ip_forward".
std::string sysctl_path(const std::string& name);

// Writes each sysctl through /proc/sys (of the container's namespaces).
Result<void> apply_sysctls(const std::map<std::string, std::string>& sysctls);

}  // namespace stack::runtime
