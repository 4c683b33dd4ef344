#include "net/dns/pid_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace stack::net::dns {
namespace {

flock whole_file(short type) {
  flock lock{};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  return lock;  // l_start = l_len = 0: the whole file
}

bool try_lock(int fd) {
  flock lock = whole_file(F_WRLCK);
  return ::fcntl(fd, F_OFD_SETLK, &lock) == 0;
}

// Whether fd still names what path names (it was not unlinked and replaced meanwhile).
bool still_linked(int fd, const std::string& path) {
  struct stat by_fd {}, by_path {};
  return ::fstat(fd, &by_fd) == 0 && ::stat(path.c_str(), &by_path) == 0 &&
         by_fd.st_ino == by_path.st_ino && by_fd.st_dev == by_path.st_dev;
}

std::optional<pid_t> read_pid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return std::nullopt;
  const long pid = std::strtol(buf, nullptr, 10);
  return pid > 0 ? std::optional<pid_t>(static_cast<pid_t>(pid)) : std::nullopt;
}

}  // namespace

util::Result<PidFile> PidFile::acquire(const std::string& path) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, util::UniqueFd::open(path, O_RDWR | O_CREAT, 0644));
    if (!try_lock(fd.get())) {
      if (errno != EAGAIN && errno != EACCES) return util::Error::from_errno("locking '" + path + "'");
      const auto pid = read_pid(fd.get());
      return util::fail(util::Errc::already_exists,
                        "'" + path + "' is held by pid " + (pid ? std::to_string(*pid) : "?"));
    }
    if (!still_linked(fd.get(), path)) continue;  // removed by its last holder meanwhile
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd.get(), 0) != 0) return util::Error::from_errno("truncating '" + path + "'");
    STACK_TRY(util::write_all(fd.get(), pid));
    return PidFile(path, std::move(fd));
  }
  return util::fail(util::Errc::conflict, "'" + path + "' keeps being replaced");
}

void PidFile::remove() {
  if (fd_ && still_linked(fd_.get(), path_)) ::unlink(path_.c_str());
  fd_.reset();
}

std::optional<pid_t> pid_file_holder(const std::string& path) {
  auto fd = util::UniqueFd::open(path, O_RDONLY);
  if (!fd) return std::nullopt;
  flock lock = whole_file(F_WRLCK);
  if (::fcntl(fd->get(), F_OFD_GETLK, &lock) != 0 || lock.l_type == F_UNLCK) return std::nullopt;
  return read_pid(fd->get()).value_or(0);
}

bool remove_stale_pid_file(const std::string& path) {
  auto fd = util::UniqueFd::open(path, O_RDWR);
  if (!fd || !try_lock(fd->get()) || !still_linked(fd->get(), path)) return false;
  return ::unlink(path.c_str()) == 0;
}

}  // namespace stack::net::dns
