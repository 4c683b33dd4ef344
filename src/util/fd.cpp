#include "util/fd.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace stack::util {

Result<UniqueFd> UniqueFd::open(const std::string& path, int flags, mode_t mode) {
  return open_at(AT_FDCWD, path, flags, mode);
}

Result<UniqueFd> UniqueFd::open_at(int dir_fd, const std::string& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::openat(dir_fd, path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Error::from_errno("open '" + path + "'");
  return UniqueFd(fd);
}

Result<UniqueFd> UniqueFd::dup() const {
  int fd = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return Error::from_errno("dup fd " + std::to_string(fd_));
  return UniqueFd(fd);
}

void UniqueFd::reset(int fd) {
  // close(2) must not be retried on EINTR on Linux: the descriptor is already gone.
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Result<Pipe> Pipe::make(int flags) {
  int fds[2];
  if (::pipe2(fds, flags == 0 ? O_CLOEXEC : flags) < 0) return Error::from_errno("pipe");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<SocketPair> SocketPair::make(int type) {
  int fds[2];
  if (::socketpair(AF_UNIX, (type == 0 ? SOCK_STREAM : type) | SOCK_CLOEXEC, 0, fds) < 0) {
    return Error::from_errno("socketpair");
  }
  return SocketPair{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<void> write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("write");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok();
}

Result<void> send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("send");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok();
}

Result<bool> read_exact(int fd, void* buf, std::size_t n) {
  auto* p = static_cast<char*>(buf);
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, p + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("read");
    }
    if (r == 0) {
      if (got == 0) return false;
      return Error(Errc::io, "read: unexpected end of file after " + std::to_string(got) + " bytes");
    }
    got += static_cast<std::size_t>(r);
  }
  return true;
}

Result<std::string> read_to_end(int fd, std::size_t max_size) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("read");
    }
    if (r == 0) return out;
    if (static_cast<std::size_t>(r) > max_size - out.size()) {
      return Error(Errc::parse, "larger than " + std::to_string(max_size) + " bytes");
    }
    out.append(buf, static_cast<std::size_t>(r));
  }
}

Result<UniqueFd> open_pidfd(pid_t pid) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return Error::from_errno("pidfd_open " + std::to_string(pid));
  return UniqueFd(fd);
}

Result<bool> wait_readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  for (;;) {
    int r = ::poll(&p, 1, timeout_ms);
    if (r < 0) {
      if (errno == EINTR) continue;  // a retry restarts the timeout; callers use coarse timeouts
      return Error::from_errno("poll");
    }
    return r > 0;
  }
}

Result<std::string> read_file(const std::string& path, std::size_t max_size) {
  STACK_ASSIGN_OR_RETURN(UniqueFd fd, UniqueFd::open(path, O_RDONLY));
  return read_to_end(fd.get(), max_size).context("reading '" + path + "'");
}

}  // namespace stack::util
