#include "build/upper_diff.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <map>

#include "image/fs.hpp"
#include "image/whiteout.hpp"
#include "util/dir.hpp"
#include "util/fd.hpp"

namespace stack::build {

using util::Error;

namespace {

std::vector<std::pair<std::string, std::string>> read_xattrs(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  ssize_t n = ::llistxattr(path.c_str(), nullptr, 0);
  if (n <= 0) return out;
  std::string names(static_cast<size_t>(n), '\0');
  n = ::llistxattr(path.c_str(), names.data(), names.size());
  if (n <= 0) return out;
  for (size_t p = 0; p < static_cast<size_t>(n);) {
    std::string name = names.c_str() + p;
    p += name.size() + 1;
    if (name.starts_with("trusted.overlay.")) continue;
    ssize_t len = ::lgetxattr(path.c_str(), name.c_str(), nullptr, 0);
    if (len < 0) continue;
    std::string value(static_cast<size_t>(len), '\0');
    len = ::lgetxattr(path.c_str(), name.c_str(), value.data(), value.size());
    if (len < 0) continue;
    value.resize(static_cast<size_t>(len));
    out.emplace_back(name, value);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool is_opaque(const std::string& dir) {
  char v[4];
  ssize_t n = ::lgetxattr(dir.c_str(), image::kOpaqueXattr, v, sizeof v);
  return n == 1 && v[0] == 'y';
}

class UpperWalker {
 public:
  UpperWalker(LayerTar& tar, std::string root) : tar_(tar), root_(std::move(root)) {}

  Result<void> walk(const std::string& rel) {
    std::string dir = rel.empty() ? root_ : root_ + "/" + rel;
    STACK_ASSIGN_OR_RETURN(std::vector<std::string> names, util::list_dir(dir));
    for (const std::string& n : names) STACK_TRY(entry(rel.empty() ? n : rel + "/" + n));
    return util::ok();
  }

 private:
  Result<void> entry(const std::string& rel) {
    std::string path = root_ + "/" + rel;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return Error::from_errno("stat '" + path + "'");
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) return tar_.add_whiteout(rel);
    if (S_ISSOCK(st.st_mode)) return util::ok();  // as docker: sockets are not part of a layer
    TarEntry e;
    e.path = rel;
    e.mode = st.st_mode;
    e.uid = st.st_uid;
    e.gid = st.st_gid;
    e.mtime = st.st_mtime;
    e.size = st.st_size;
    e.rdev = st.st_rdev;
    e.xattrs = read_xattrs(path);
    if (S_ISDIR(st.st_mode)) {
      STACK_TRY(tar_.add(std::move(e)));
      if (is_opaque(path)) STACK_TRY(tar_.add_opaque(rel));
      return walk(rel);
    }
    if (S_ISLNK(st.st_mode)) {
      std::vector<char> buf(PATH_MAX);
      ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
      if (n < 0) return Error::from_errno("readlink '" + path + "'");
      e.link.assign(buf.data(), static_cast<size_t>(n));
      return tar_.add(std::move(e));
    }
    if (!S_ISREG(st.st_mode)) return tar_.add(std::move(e));
    if (st.st_nlink > 1) {
      auto [it, first] = links_.emplace(std::make_pair(st.st_dev, st.st_ino), rel);
      if (!first) {
        e.hardlink = true;
        e.link = it->second;
        return tar_.add(std::move(e));
      }
    }
    STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, util::UniqueFd::open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    return tar_.add(std::move(e), fd.get());
  }

  LayerTar& tar_;
  std::string root_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

}  // namespace

Result<image::LayerInfo> write_upper_layer(const image::BlobStore& blobs, const std::string& upper_dir,
                                           int64_t epoch, size_t* entries) {
  STACK_ASSIGN_OR_RETURN(LayerTar tar, LayerTar::create(blobs, epoch));
  UpperWalker walker(tar, upper_dir);
  STACK_TRY(walker.walk(""));
  if (entries) *entries = tar.entries();
  return tar.finish();
}

}  // namespace stack::build
