// A container's directory appears whole and disappears whole. A CLI killed in the middle of
// `create` or `remove` (kill -9, a reboot) must leave neither a directory that `list` shows but no
// one can read (a later create of that id would be refused as "already exists") nor one that
// `down` no longer sees (a leak). So a container directory is filled under a hidden name and
// renamed into place, and moved to a hidden name before it is emptied; hidden directories whose
// maker is dead are swept by the next `list`.
#pragma once

#include <string>

#include "runtime/state_paths.hpp"
#include "util/result.hpp"

namespace stack::runtime {

// A directory being filled for container id: <containers>/.new-<pid>-<id>.
class StagedContainerDir {
 public:
  static util::Result<StagedContainerDir> make(const StatePaths& paths, const std::string& id);
  StagedContainerDir(StagedContainerDir&& other) noexcept;
  StagedContainerDir& operator=(StagedContainerDir&&) = delete;
  ~StagedContainerDir();  // removes the directory unless it was published

  const std::string& path() const { return path_; }
  // Renames it to the container's own directory: Errc::already_exists if that is taken.
  util::Result<void> publish();

 private:
  StagedContainerDir(std::string path, std::string target) : path_(std::move(path)), target_(std::move(target)) {}
  std::string path_;
  std::string target_;
};

// Moves the container's directory out of sight (<containers>/.old-<pid>-<id>) and removes it.
// False when it was not there.
util::Result<bool> retire_container_dir(const StatePaths& paths, const std::string& id);

// Removes the hidden directories of makers and removers that died before they finished.
void sweep_abandoned_container_dirs(const StatePaths& paths);

}  // namespace stack::runtime
