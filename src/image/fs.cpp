#include "image/fs.hpp"

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

Result<void> make_dirs(const std::string& path, unsigned mode) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return fail(Errc::io, "create directory '" + path + "': " + ec.message(), ec.value());
  ::chmod(path.c_str(), mode);
  return util::ok();
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
