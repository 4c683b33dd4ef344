// A RUN step's scratch directory, <root>/builds/<name>: the overlay's upper, work and merged
// directories, the bind mounts' copies, the secrets' tmpfs. The step's container is
// "build-<name>", in cgroup stack/_build/build-<name>, and dies with its builder.
//
// While the step runs, its build holds an exclusive lock on <root>/builds/<name>.lock, taken
// before the directory is made and dropped after it is gone. A directory whose lock is free is
// therefore a killed build's (SIGKILL, power loss): the next build removes it, with its tmpfs and
// the cgroup (and any process left in it), before it starts (remove_stale_scratch).
#pragma once

#include <string>
#include <utility>

#include "util/file_lock.hpp"
#include "util/result.hpp"

namespace stack::build {

class ScratchDir {
 public:
  static util::Result<ScratchDir> make(const std::string& root);
  ScratchDir(ScratchDir&& o) noexcept : path_(std::exchange(o.path_, {})), name_(std::move(o.name_)), lock_(std::move(o.lock_)) {}
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir();

  const std::string& path() const { return path_; }
  std::string container_id() const { return "build-" + name_; }

 private:
  ScratchDir(std::string path, std::string name, util::FileLock lock)
      : path_(std::move(path)), name_(std::move(name)), lock_(std::move(lock)) {}
  std::string path_;  // "" when moved from
  std::string name_;
  util::FileLock lock_;
};

// Removes what killed builds left under <root>/builds. Best effort: a leftover that cannot be
// removed now stays for the next build.
void remove_stale_scratch(const std::string& root);

}  // namespace stack::build
