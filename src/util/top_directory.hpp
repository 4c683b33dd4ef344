// Marks a directory as the top of a hierarchy (FS_TOPDIR_FL, `chattr +T`), so that ext2/3/4's Orlov
// allocator spreads its subdirectories over the block groups instead of packing them beside it.
// Each container's directory then gets inodes in a group of its own: a journal-less ext4 scans
// every inode freed in the last minutes of a group before it reuses one, and an up after a down
// otherwise pays that scan for each of its ~20 files per container in the one crowded group.
// Filesystems without the flag ignore it.
#pragma once

#include <string>

namespace stack::util {

// Best effort: true when the flag is set (now or before), false where the filesystem has no such flag
// or the directory cannot be opened. Never an error: placement is an optimisation.
bool mark_top_directory(const std::string& dir);

}  // namespace stack::util
