// Guards for writing archive entries under a layer root. Two layers of defence:
//  1. lexical: clean_entry_path() rejects absolute names and ".." components before anything is
//     touched, so the error names the entry;
//  2. kernel: open_dir_beneath() resolves parents with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
//     RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV), so a symlink written earlier by the same layer can never
//     redirect a later entry. Without openat2 (kernel < 5.6) it walks one component at a time with
//     O_NOFOLLOW, which gives the same guarantee.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "image/fs.hpp"
#include "util/fd.hpp"

namespace stack::image {

// "./a//b/" -> "a/b"; "." or "./" -> "" (the layer root). Absolute paths and ".." are errors:
// "entry '../../etc/passwd' escapes the layer root".
Result<std::string> clean_entry_path(std::string_view name);

// "a/b/c" -> {"a/b", "c"}; "c" -> {"", "c"}.
std::pair<std::string, std::string> split_parent(const std::string& clean);

// Opens directory rel ("" = root itself) beneath root_fd; never follows a symlink, never leaves root.
// With create, missing directories are made (mode 0755, as tar does for implied parents).
Result<util::UniqueFd> open_dir_beneath(int root_fd, const std::string& rel, bool create);

// Removes whatever is at dir_fd/name (file, symlink, device or whole directory) without following
// symlinks. Absent is fine.
Result<void> remove_at(int dir_fd, const std::string& name);

}  // namespace stack::image
