// The inotify side of `stack watch`: directories watched recursively (a directory made later is
// added when it appears), a watched file through its parent directory. read() turns the events
// into the absolute paths that changed; the batching and the rules are scheduler/watch_rules.hpp.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "util/fd.hpp"
#include "util/result.hpp"

namespace stack::cli {

class TreeWatch {
 public:
  static util::Result<TreeWatch> open();

  // A directory and everything below it, or a single file. A path that does not exist yet is
  // waited for, as compose's watcher does: its greatest existing ancestor is watched (that one
  // directory only), then each directory on the way as it appears, until the path itself does.
  util::Result<void> add(const std::string& path);
  int fd() const { return fd_.get(); }
  // The paths changed since the last call (created, written, removed, moved, attributes). A new
  // directory is reported itself (what it holds is copied with it) and watched from then on; a
  // removed root is waited for again and watched when it is back; after
  // an overflow of the kernel's queue every watched root is reported.
  util::Result<std::vector<std::string>> read();

 private:
  explicit TreeWatch(util::UniqueFd fd) : fd_(std::move(fd)) {}
  util::Result<void> watch_tree(const std::string& dir);
  util::Result<void> watch_dir(const std::string& dir);
  // A created path that a pending one waited for (or a directory on its way) is watched now; the
  // pending path when it is there.
  util::Result<std::optional<std::string>> arrived(const std::string& path);
  // A watched directory was removed: a root (or a watched file's directory) among them is waited
  // for again, as before it first existed, so `rm -rf dist && mkdir dist` keeps being watched.
  // The roots that exist again already.
  util::Result<std::vector<std::string>> rewatch(const std::string& gone);

  util::UniqueFd fd_;
  std::map<int, std::string> dirs_;  // watch descriptor -> directory
  std::set<std::string> trees_;      // directories watched with what is below them
  std::set<std::string> files_;      // single files, watched through their parent
  std::set<std::string> pending_;    // paths that do not exist yet
};

}  // namespace stack::cli
