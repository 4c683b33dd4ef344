#include "runtime/sys/mount.hpp"

#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

#include "util/fd.hpp"

namespace stack::runtime::sys {

using util::Error;

Result<void> mount(const std::string& source, const std::string& target, const std::string& fstype,
                   unsigned long flags, const std::string& data) {
  int r;
  do {
    r = ::mount(source.empty() ? nullptr : source.c_str(), target.c_str(),
                fstype.empty() ? nullptr : fstype.c_str(), flags,
                data.empty() ? nullptr : data.c_str());
  } while (r < 0 && errno == EINTR);
  if (r < 0) {
    std::string what = fstype.empty() ? "mount" : "mount " + fstype;
    return Error::from_errno(what + " '" + source + "' on '" + target + "'");
  }
  return util::ok();
}

Result<void> remount(const std::string& target, unsigned long flags) {
  if (::mount(nullptr, target.c_str(), nullptr, flags | MS_REMOUNT, nullptr) < 0) {
    return Error::from_errno("remount '" + target + "'");
  }
  return util::ok();
}

Result<void> make_propagation(const std::string& target, unsigned long type) {
  if (::mount(nullptr, target.c_str(), nullptr, type, nullptr) < 0) {
    return Error::from_errno("set propagation of '" + target + "'");
  }
  return util::ok();
}

Result<void> umount(const std::string& target, int flags) {
  int r;
  do {
    r = ::umount2(target.c_str(), flags);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return Error::from_errno("umount '" + target + "'");
  return util::ok();
}

Result<void> pivot_root(const std::string& new_root, const std::string& put_old) {
  // glibc has no wrapper for pivot_root(2).
  if (::syscall(SYS_pivot_root, new_root.c_str(), put_old.c_str()) < 0) {
    return Error::from_errno("pivot_root '" + new_root + "'");
  }
  return util::ok();
}

Result<bool> is_mount_point(const std::string& path) {
  STACK_ASSIGN_OR_RETURN(std::string info, util::read_file("/proc/self/mountinfo"));
  std::istringstream in(info);
  std::string line;
  while (std::getline(in, line)) {
    // Fields: id parent major:minor root mount_point ...; mount points escape spaces as \040.
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    fields >> id >> parent >> dev >> root >> point;
    if (point == path) return true;
  }
  return false;
}

}  // namespace stack::runtime::sys
