#include "util/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>

#include "util/fd.hpp"

namespace stack::util {

Result<void> fsync_dir(const std::string& dir) {
  STACK_ASSIGN_OR_RETURN(UniqueFd fd, UniqueFd::open(dir, O_RDONLY | O_DIRECTORY));
  if (::fsync(fd.get()) != 0) return Error::from_errno("fsync '" + dir + "'");
  return ok();
}

Result<void> write_file_atomic(const std::string& path, std::string_view content, Durability durability) {
  static std::atomic<unsigned> counter{0};
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  // pid + counter: two processes or threads writing the same file never share a temporary.
  std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  {
    STACK_ASSIGN_OR_RETURN(UniqueFd fd, UniqueFd::open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644));
    auto written = write_all(fd.get(), content);
    bool flush = durability == Durability::power_loss;
    if (written && flush && ::fsync(fd.get()) != 0) written = Error::from_errno("fsync '" + tmp + "'");
    if (!written) {
      ::unlink(tmp.c_str());
      return std::move(written).context("writing '" + path + "'");
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto err = Error::from_errno("rename '" + tmp + "' to '" + path + "'");
    ::unlink(tmp.c_str());
    return err;
  }
  if (durability == Durability::process_crash) return ok();
  return fsync_dir(dir);
}

}  // namespace stack::util
