// File-system helpers for setting up a root: directories, small files, device nodes, and paths
// resolved inside a root so that a symlink in an image cannot point a mount at the host.
#pragma once

#include <sys/types.h>

#include <string>

#include "runtime/sys/mount.hpp"
#include "util/fd.hpp"

namespace stack::runtime::sys {

// mkdir -p; returns true when the last component was created by this call.
Result<bool> mkdir_p(const std::string& path, mode_t mode = 0755);
// Writes content to path (create or truncate).
Result<void> write_file(const std::string& path, const std::string& content, mode_t mode = 0644);
Result<void> mknod(const std::string& path, mode_t mode, dev_t dev);
Result<void> symlink(const std::string& target, const std::string& link_path);

enum class PathKind { missing, directory, other };
PathKind path_kind(const std::string& path);

// Opens path inside root (openat2 with RESOLVE_IN_ROOT): symlinks and ".." resolve as if root were
// "/". When create is set, missing parents are made as directories and the last component as a
// directory (as_dir) or an empty file. Returns an O_PATH descriptor.
Result<util::UniqueFd> open_in_root(const std::string& root, const std::string& path, bool create,
                                    bool as_dir);

// "/proc/self/fd/<n>": a path that mount(2) follows to the object behind fd.
std::string fd_path(int fd);

}  // namespace stack::runtime::sys
