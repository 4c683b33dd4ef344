// Small file helpers of the image store (the builder uses them too): directories made with a mode,
// temporary names, a bound for metadata reads. The fd owner, whole-file reads and writes and rm -rf
// are util's (util/fd.hpp, util/dir.hpp).
#pragma once

#include <cstddef>
#include <string>

#include "util/atomic_file.hpp"
#include "util/result.hpp"

namespace stack::image {

using util::Result;
using util::fsync_dir;
using util::write_file_atomic;

// What util::read_file may read of a metadata file (repositories.json, a container's config):
// they are small, and a larger one is corrupt.
inline constexpr std::size_t kMaxMetadataFile = 64u << 20;

// Unlike runtime::sys::mkdir_p, also sets mode on a last component that exists already.
Result<void> make_dirs(const std::string& path, unsigned mode = 0755);
// 16 hex characters from getrandom(), for temporary names.
std::string random_suffix();
bool path_exists(const std::string& path);

}  // namespace stack::image
