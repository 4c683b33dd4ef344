#include "util/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace stack::util {

namespace {

int flock_operation(LockMode mode) { return mode == LockMode::shared ? LOCK_SH : LOCK_EX; }

// flock(2), retried on EINTR; false when LOCK_NB found the lock busy.
Result<bool> flock_fd(int fd, int operation, const std::string& path) {
  int rc;
  do rc = ::flock(fd, operation);
  while (rc != 0 && errno == EINTR);
  if (rc == 0) return true;
  if (errno == EWOULDBLOCK && (operation & LOCK_NB)) return false;
  return Error::from_errno("locking '" + path + "'");
}

}  // namespace

// With LOCK_NB in operation, a busy lock is a FileLock that holds no descriptor.
Result<FileLock> FileLock::lock(const std::string& path, int open_flags, int operation) {
  for (;;) {
    STACK_ASSIGN_OR_RETURN(UniqueFd fd, UniqueFd::open(path, open_flags, 0600));
    STACK_ASSIGN_OR_RETURN(bool held, flock_fd(fd.get(), operation, path));
    if (!held) return FileLock(UniqueFd(), path);
    struct stat locked {};
    struct stat named {};
    if (::fstat(fd.get(), &locked) != 0) return Error::from_errno("stat '" + path + "'");
    if (::stat(path.c_str(), &named) == 0 && named.st_ino == locked.st_ino && named.st_dev == locked.st_dev)
      return FileLock(std::move(fd), path);
    // Removed or replaced while we waited: try again on the current file.
  }
}

Result<FileLock> FileLock::acquire(const std::string& path, LockMode mode) {
  return lock(path, O_RDWR | O_CREAT, flock_operation(mode));
}

Result<std::optional<FileLock>> FileLock::try_acquire(const std::string& path, LockMode mode) {
  STACK_ASSIGN_OR_RETURN(FileLock held, lock(path, O_RDWR | O_CREAT, flock_operation(mode) | LOCK_NB));
  if (!held.fd_.valid()) return std::optional<FileLock>();
  return std::optional<FileLock>(std::move(held));
}

Result<FileLock> FileLock::acquire_directory(const std::string& path, LockMode mode) {
  return lock(path, O_RDONLY | O_DIRECTORY, flock_operation(mode));
}

Result<void> FileLock::upgrade() {
  STACK_TRY(flock_fd(fd_.get(), LOCK_EX, path_));
  return ok();
}

void FileLock::unlink() { ::unlink(path_.c_str()); }

}  // namespace stack::util
