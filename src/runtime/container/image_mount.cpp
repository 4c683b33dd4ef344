#include "runtime/container/image_mount.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <sstream>

namespace stack::runtime {

using util::Errc;
using util::Error;

namespace {

bool is_opaque(const std::string& dir) {
  char value[2] = {};
  return ::lgetxattr(dir.c_str(), "trusted.overlay.opaque", value, sizeof value) == 1 && value[0] == 'y';
}

std::vector<std::string> components_of(const std::string& subpath) {
  std::vector<std::string> out;
  std::stringstream in(subpath);
  for (std::string part; std::getline(in, part, '/');) {
    if (!part.empty() && part != ".") out.push_back(part);
  }
  return out;
}

}  // namespace

util::Result<std::vector<std::string>> image_mount_dirs(const std::vector<std::string>& layers,
                                                        const std::string& subpath) {
  const std::vector<std::string> parts = components_of(subpath);
  for (const std::string& part : parts) {
    if (part == "..") return Error(Errc::invalid_argument, "subpath '" + subpath + "' leads out of the image");
  }
  std::vector<std::string> out;
  for (const std::string& layer : layers) {
    std::string path = layer;
    bool present = true, hides_below = is_opaque(path), deleted = false;
    for (const std::string& part : parts) {
      path += "/" + part;
      struct stat st {};
      if (::lstat(path.c_str(), &st) != 0) {
        present = false;
        break;
      }
      if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
        deleted = true;  // deleted in this layer: nothing of it below
        break;
      }
      if (S_ISLNK(st.st_mode)) {
        return Error(Errc::invalid_argument, "subpath '" + subpath + "' crosses a symlink in the image");
      }
      if (!S_ISDIR(st.st_mode)) {
        return Error(Errc::invalid_argument, "subpath '" + subpath + "' is not a directory in the image");
      }
      hides_below = hides_below || is_opaque(path);
    }
    if (deleted) break;
    if (!present) {
      if (hides_below) break;
      continue;
    }
    out.push_back(path);
    if (hides_below) break;
  }
  if (out.empty()) return Error(Errc::not_found, "subpath '" + subpath + "' is not in the image");
  return out;
}

}  // namespace stack::runtime
