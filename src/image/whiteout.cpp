#include "image/whiteout.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "image/path_safety.hpp"

namespace stack::image {

using util::Errc;
using util::Error;
using util::fail;

util::Result<WhiteoutName> classify_whiteout(const std::string& clean_path) {
  auto [parent, base] = split_parent(clean_path);
  if (!std::string_view(base).starts_with(kWhiteoutPrefix)) return WhiteoutName{};
  if (base == kOpaqueMarker) return WhiteoutName{WhiteoutKind::opaque, parent};
  if (std::string_view(base).starts_with(".wh..wh.")) return WhiteoutName{WhiteoutKind::meta, ""};
  std::string hidden = base.substr(kWhiteoutPrefix.size());
  if (hidden.empty() || hidden == "." || hidden == "..") {
    return fail(Errc::invalid_argument, "entry '" + clean_path + "' is an invalid whiteout");
  }
  return WhiteoutName{WhiteoutKind::whiteout, parent.empty() ? hidden : parent + "/" + hidden};
}

std::string whiteout_path_for(const std::string& clean_path) {
  auto [parent, base] = split_parent(clean_path);
  std::string name = std::string(kWhiteoutPrefix) + base;
  return parent.empty() ? name : parent + "/" + name;
}

util::Result<void> make_whiteout(int dir_fd, const std::string& name) {
  STACK_TRY(remove_at(dir_fd, name));
  if (::mknodat(dir_fd, name.c_str(), S_IFCHR | 0000, makedev(0, 0)) != 0) {
    return Error::from_errno("whiteout '" + name + "'");
  }
  return util::ok();
}

util::Result<void> make_opaque(int dir_fd) {
  if (::fsetxattr(dir_fd, kOpaqueXattr, "y", 1, 0) != 0) {
    return Error::from_errno(std::string("set ") + kOpaqueXattr);
  }
  return util::ok();
}

}  // namespace stack::image
