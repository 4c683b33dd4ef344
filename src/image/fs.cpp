#include "image/fs.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace stack::image {

using util::Errc;
using util::Error;
using util::fail;

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<Fd> Fd::open(const std::string& path, int flags, unsigned mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return Error::from_errno("open '" + path + "'");
  return Fd(fd);
}

Result<Fd> Fd::open_at(int dir, const std::string& name, int flags, unsigned mode) {
  int fd = ::openat(dir, name.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return Error::from_errno("open '" + name + "'");
  return Fd(fd);
}

Result<void> write_all(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("write");
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return util::ok();
}

Result<std::string> read_file(const std::string& path, size_t max_size) {
  STACK_ASSIGN_OR_RETURN(Fd fd, Fd::open(path, O_RDONLY));
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("read '" + path + "'");
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_size) {
      return fail(Errc::parse, "file '" + path + "' is larger than " + std::to_string(max_size) + " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<void> make_dirs(const std::string& path, unsigned mode) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return fail(Errc::io, "create directory '" + path + "': " + ec.message(), ec.value());
  ::chmod(path.c_str(), mode);
  return util::ok();
}

void remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::string random_suffix() {
  unsigned char raw[8] = {};
  ssize_t got = 0;
  while (got < static_cast<ssize_t>(sizeof raw)) {
    ssize_t n = ::getrandom(raw + got, sizeof raw - static_cast<size_t>(got), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += n;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

bool path_exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace stack::image
