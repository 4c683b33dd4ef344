// Mount helpers shared by the mount steps (internal to src/runtime/container).
#pragma once

#include <string>

#include "runtime/container/config.hpp"

namespace stack::runtime {

// MS_NOSUID, MS_NODEV, ... that the mount at path has now (statvfs).
unsigned long mount_flags_of(const std::string& path);

// Makes the mount at path read-only, keeping its other flags.
Result<void> remount_read_only(const std::string& path);

// "lowerdir=a:b,upperdir=u,workdir=w"; refuses what mount(2) cannot take.
Result<std::string> overlay_options(const RootfsConfig& rootfs);

// Resolves (and creates) destination inside root, then mounts; errors read
// "mount <what> '<destination>': <cause>".
Result<void> mount_in_root(const std::string& root, const std::string& destination,
                           const std::string& what, const std::string& source,
                           const std::string& fstype, unsigned long flags, const std::string& data,
                           bool as_dir);

}  // namespace stack::runtime
