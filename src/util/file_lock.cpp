#include "util/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace stack::util {

Result<FileLock> FileLock::acquire(const std::string& path) {
  for (;;) {
    STACK_ASSIGN_OR_RETURN(UniqueFd fd, UniqueFd::open(path, O_RDWR | O_CREAT, 0600));
    int rc;
    do rc = ::flock(fd.get(), LOCK_EX);
    while (rc != 0 && errno == EINTR);
    if (rc != 0) return Error::from_errno("locking '" + path + "'");
    struct stat held {};
    struct stat named {};
    if (::fstat(fd.get(), &held) != 0) return Error::from_errno("stat '" + path + "'");
    if (::stat(path.c_str(), &named) == 0 && named.st_ino == held.st_ino && named.st_dev == held.st_dev)
      return FileLock(std::move(fd), path);
    // Removed or replaced while we waited: try again on the current file.
  }
}

void FileLock::unlink() { ::unlink(path_.c_str()); }

}  // namespace stack::util
