#include "image/init_layer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>

namespace stack::image {

namespace fs = std::filesystem;
using util::Error;

namespace {

constexpr const char* kDirs[] = {"proc", "sys", "dev", "etc"};
constexpr const char* kFiles[] = {"etc/hosts", "etc/hostname", "etc/resolv.conf"};

util::Result<void> fill(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0) return Error::from_errno("create '" + dir + "'");
  for (const char* d : kDirs) {
    std::string path = dir + "/" + d;
    if (::mkdir(path.c_str(), 0755) != 0) return Error::from_errno("create '" + path + "'");
  }
  for (const char* f : kFiles) {
    std::string path = dir + "/" + f;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return Error::from_errno("create '" + path + "'");
    ::close(fd);
  }
  return util::ok();
}

}  // namespace

util::Result<std::string> ensure_init_layer(const std::string& images_dir) {
  const std::string final_dir = images_dir + "/init-layer";
  if (::access(final_dir.c_str(), F_OK) == 0) return final_dir;
  static std::atomic<unsigned> serial{0};
  const std::string temp =
      final_dir + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(serial++);
  std::error_code ec;
  fs::create_directories(images_dir, ec);
  if (ec) return Error(util::Errc::io, "create '" + images_dir + "': " + ec.message());
  auto made = fill(temp);
  // Made whole, then renamed into place: no container sees half of it. Another maker may win.
  if (made && ::rename(temp.c_str(), final_dir.c_str()) != 0 && errno != EEXIST && errno != ENOTEMPTY) {
    made = Error::from_errno("rename '" + temp + "'");
  }
  fs::remove_all(temp, ec);
  if (!made) return std::move(made).error().context("init layer");
  return final_dir;
}

}  // namespace stack::image
