// FileLock: an exclusive flock on a lock file, held for the object's life. A lock file may be
// unlinked by its holder (when the thing it guards is removed); acquire() re-checks after locking
// that the path still names the file it locked and retries otherwise, so a waiter never holds a
// lock on an orphaned inode while a newcomer locks a fresh file.
#pragma once

#include <string>

#include "util/fd.hpp"
#include "util/result.hpp"

namespace stack::util {

class FileLock {
 public:
  // Creates path (0600) if needed and blocks until the lock is held.
  static Result<FileLock> acquire(const std::string& path);

  // Unlinks the lock file while still holding it, so that waiters retry (see above).
  void unlink();

 private:
  FileLock(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  UniqueFd fd_;
  std::string path_;
};

}  // namespace stack::util
