// Move-only owners for file descriptors. UniqueFd closes what it holds; Pipe and SocketPair are the
// two ends made together. Constructors that can fail are named and return Result, as in seastar's
// file_desc: UniqueFd::open("/x", O_RDONLY) -> Result<UniqueFd>.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::util {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}  // adopts fd
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  // O_CLOEXEC is always added: a descriptor crosses exec only when it is dup2'ed on purpose.
  static Result<UniqueFd> open(const std::string& path, int flags, mode_t mode = 0);
  static Result<UniqueFd> open_at(int dir_fd, const std::string& path, int flags, mode_t mode = 0);

  // A close-on-exec duplicate.
  Result<UniqueFd> dup() const;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

struct Pipe {
  UniqueFd read;
  UniqueFd write;
  // flags for pipe2(2); O_CLOEXEC unless told otherwise.
  static Result<Pipe> make(int flags = 0);
};

struct SocketPair {
  UniqueFd first;
  UniqueFd second;
  // An AF_UNIX pair; type defaults to SOCK_STREAM, SOCK_CLOEXEC is always added.
  static Result<SocketPair> make(int type = 0);
};

// Writes all of data, retrying on EINTR and short writes.
Result<void> write_all(int fd, std::string_view data);

// write_all for a socket, with MSG_NOSIGNAL: a peer that hung up is an error, not a SIGPIPE
// (ignoring SIGPIPE instead would be inherited by a container through exec).
Result<void> send_all(int fd, std::string_view data);

// Reads exactly n bytes. Returns false on end of file before the first byte; a short read after the
// first byte is an error.
Result<bool> read_exact(int fd, void* buf, std::size_t n);

// Reads until end of file; more than max_size bytes is Errc::parse ("larger than N bytes").
Result<std::string> read_to_end(int fd, std::size_t max_size = SIZE_MAX);

// A pidfd of process pid (pidfd_open(2)): readable once the process has exited; ESRCH (an error)
// when there is no such process. Close-on-exec, as every descriptor here.
Result<UniqueFd> open_pidfd(pid_t pid);

// Waits until fd is readable (or its peer hung up). timeout_ms < 0 waits forever; false on timeout.
Result<bool> wait_readable(int fd, int timeout_ms);

// Reads a whole file; absence is Errc::not_found. A bound keeps a corrupt or hostile file (image
// metadata, a registry's credentials) from filling memory: larger is Errc::parse.
Result<std::string> read_file(const std::string& path, std::size_t max_size = SIZE_MAX);

}  // namespace stack::util
