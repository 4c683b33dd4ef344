// Thin wrappers over the mount family of system calls. Stateless: no policy, no logging; an error
// names the call and its paths. The container steps reword errors for users.
#pragma once

#include <string>

#include "util/result.hpp"

namespace stack::runtime::sys {

using util::Result;

Result<void> mount(const std::string& source, const std::string& target, const std::string& fstype,
                   unsigned long flags, const std::string& data = "");
// Re-applies flags to an existing mount point (MS_REMOUNT, with MS_BIND for per-mount flags).
Result<void> remount(const std::string& target, unsigned long flags);
// Changes propagation of target (MS_PRIVATE, MS_SLAVE, ... optionally | MS_REC).
Result<void> make_propagation(const std::string& target, unsigned long type);
Result<void> umount(const std::string& target, int flags = 0);
Result<void> pivot_root(const std::string& new_root, const std::string& put_old);

// Whether path is listed as a mount point in /proc/self/mountinfo.
Result<bool> is_mount_point(const std::string& path);

}  // namespace stack::runtime::sys
