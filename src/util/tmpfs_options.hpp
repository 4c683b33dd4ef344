// tmpfs mount options as mount(8), `docker run --tmpfs` and compose's `tmpfs:` take them: flag words
// (noexec/exec, nosuid/suid, nodev/dev, ro/rw, sync, dirsync, the atime family) and tmpfs's own
// uid=, gid=, nr_inodes=, nr_blocks= and huge=. One table for the stack file's check and the
// runtime's mount, so that what is accepted is what is mounted. (size= and mode= have fields of
// their own in the model and the runtime config.)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace stack::util {

struct TmpfsMountOptions {
  unsigned long flags = 0;  // MS_* for mount(2)
  std::string data;         // "uid=1000,nr_inodes=1k": tmpfs's own options, comma-separated
};

// Applies words in order to base_flags (a later word wins: "noexec,exec" is exec). An unknown word
// or a bad value is Errc::invalid_argument naming it.
Result<TmpfsMountOptions> tmpfs_mount_options(const std::vector<std::string>& words, unsigned long base_flags = 0);

}  // namespace stack::util
