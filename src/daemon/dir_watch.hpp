// inotify on the stacks directory and on each project directory in it (NAME/compose.yaml and its
// .env), reported as the keys (stacks_dir.hpp) that something happened to. Editors' saves
// (a temporary renamed into place) arrive as IN_MOVED_TO of the final name.
#pragma once

#include <map>
#include <set>
#include <string>

#include "util/fd.hpp"
#include "util/result.hpp"

namespace stack::daemon {

class DirWatch {
 public:
  // Creates dir if it is missing (a fresh host has no stacks yet).
  static util::Result<DirWatch> open(const std::string& dir);

  int fd() const { return fd_.get(); }
  // Reads the waiting events. overflow: the kernel dropped some, every key must be looked at.
  struct Changes {
    std::set<std::string> keys;
    bool overflow = false;
  };
  Changes read();

 private:
  DirWatch(util::UniqueFd fd, std::string dir) : fd_(std::move(fd)), dir_(std::move(dir)) {}
  void watch_subdir(const std::string& name);

  util::UniqueFd fd_;
  std::string dir_;
  int dir_wd_ = -1;
  std::map<int, std::string> subdirs_;  // watch descriptor -> NAME
};

}  // namespace stack::daemon
