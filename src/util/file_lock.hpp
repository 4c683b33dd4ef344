// FileLock: an flock on a lock file, shared or exclusive, held for the object's life. A lock file
// may be unlinked by its holder (when the thing it guards is removed); every constructor re-checks
// after locking that the path still names the file it locked and retries otherwise, so a waiter
// never holds a lock on an orphaned inode while a newcomer locks a fresh file.
#pragma once

#include <optional>
#include <string>

#include "util/fd.hpp"
#include "util/result.hpp"

namespace stack::util {

enum class LockMode { shared, exclusive };

class FileLock {
 public:
  // Creates path (0600) if needed and blocks until the lock is held.
  static Result<FileLock> acquire(const std::string& path, LockMode mode = LockMode::exclusive);
  // As acquire, but never waits: nullopt when another holder's lock is in the way.
  static Result<std::optional<FileLock>> try_acquire(const std::string& path,
                                                     LockMode mode = LockMode::exclusive);
  // Locks an existing directory (opened read-only, never created) instead of a lock file.
  static Result<FileLock> acquire_directory(const std::string& path, LockMode mode = LockMode::exclusive);

  // Shared to exclusive on the same open file. flock converts by dropping the shared lock first,
  // so another process may take the lock in between: not atomic.
  Result<void> upgrade();

  // Unlinks the lock file while still holding it, so that waiters retry (see above).
  void unlink();

  // Hands over the locked descriptor, for a caller that reads or writes the file it locked or
  // keeps only a descriptor: the lock lasts until that is closed.
  UniqueFd release() && { return std::move(fd_); }

 private:
  FileLock(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  static Result<FileLock> lock(const std::string& path, int open_flags, int operation);

  UniqueFd fd_;
  std::string path_;
};

}  // namespace stack::util
