// Crash-safe file replacement for every state file of the project (state.json, networks/*.json,
// repositories.json): readers see the old content or the new, never a torn file.
#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::util {

// A temporary beside path (unique per writer, O_EXCL), fsync, rename over path, fsync of the
// directory. On failure the temporary is removed and path is untouched.
Result<void> write_file_atomic(const std::string& path, std::string_view content);

// Makes a rename or a create inside dir durable.
Result<void> fsync_dir(const std::string& dir);

}  // namespace stack::util
