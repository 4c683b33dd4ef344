// The daemon's desired state on disk: a directory of stack files, one project each.
//   NAME.yaml / NAME.yml          -> project NAME (or the file's `name:`), files [that file]
//   NAME/compose.yaml (and the other default names, with the directory's .env) -> project NAME
// Dotfiles, editor temporaries (~, .swp, .tmp, #...#) and other files are ignored, so that an
// editor's save (write a temporary, rename it into place) is seen once, as the final file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace stack::daemon {

struct StackSource {
  std::string key;                 // NAME: the queue's key and the project name's fallback
  std::vector<std::string> files;  // the stack files, in merge order
  std::string directory;           // the project directory (relative paths and .env)
  bool operator==(const StackSource&) const = default;
};

// The key a directory entry gives (NAME), or "" when the daemon ignores it.
std::string key_of_file(std::string_view file_name);
bool ignored(std::string_view file_name);

// Every source of dir, sorted by key; an error only when dir cannot be read. A NAME.yaml and a
// NAME/ directory together: the directory wins.
util::Result<std::vector<StackSource>> scan_stacks_dir(const std::string& dir);

// The default stack file names of a project directory, in compose's order of preference.
const std::vector<std::string>& default_stack_file_names();

}  // namespace stack::daemon
