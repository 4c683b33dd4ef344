#include "util/top_directory.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

#include "util/fd.hpp"

namespace stack::util {

bool mark_top_directory(const std::string& dir) {
  auto fd = UniqueFd::open(dir, O_RDONLY | O_DIRECTORY);
  if (!fd) return false;
  int flags = 0;
  if (::ioctl(fd->get(), FS_IOC_GETFLAGS, &flags) != 0) return false;
  if (flags & FS_TOPDIR_FL) return true;
  flags |= FS_TOPDIR_FL;
  return ::ioctl(fd->get(), FS_IOC_SETFLAGS, &flags) == 0;
}

}  // namespace stack::util
