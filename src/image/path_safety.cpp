#include "image/path_safety.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "util/dir.hpp"

namespace stack::image {

using util::Errc;
using util::Error;
using util::fail;

namespace {

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// One component, already known to be a plain name: open it as a directory, refusing symlinks.
int open_component(int dir_fd, const std::string& name) {
  return ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

// Whole-path resolution by the kernel; -1 with errno, ENOSYS when openat2 is missing.
int openat2_beneath(int root_fd, const std::string& rel) {
  struct open_how how = {};
  how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  return static_cast<int>(::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how));
}

Error resolve_error(const std::string& rel, int err) {
  if (err == ELOOP) {
    return fail(Errc::invalid_argument, "parent '" + rel + "' goes through a symlink", err);
  }
  if (err == EXDEV) return fail(Errc::invalid_argument, "parent '" + rel + "' escapes the layer root", err);
  if (err == ENOTDIR) {
    return fail(Errc::invalid_argument, "parent '" + rel + "' is not a directory", err);
  }
  return Error::from_errno("open '" + rel + "'", err);
}

// Component walk used to create missing parents (and as the fallback without openat2).
Result<util::UniqueFd> walk_components(int root_fd, const std::string& rel, bool create) {
  util::UniqueFd cur(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  if (!cur.valid()) return Error::from_errno("dup");
  for (auto part : components(rel)) {
    std::string name(part);
    int fd = open_component(cur.get(), name);
    if (fd < 0 && errno == ENOENT && create) {
      if (::mkdirat(cur.get(), name.c_str(), 0755) != 0 && errno != EEXIST) {
        return Error::from_errno("mkdir '" + rel + "'");
      }
      fd = open_component(cur.get(), name);
    }
    if (fd < 0) return resolve_error(rel, errno);
    cur = util::UniqueFd(fd);
  }
  return cur;
}

}  // namespace

Result<std::string> clean_entry_path(std::string_view name) {
  if (name.starts_with('/')) {
    return fail(Errc::invalid_argument, "entry '" + std::string(name) + "' has an absolute path");
  }
  std::string out;
  for (auto part : components(name)) {
    if (part == ".") continue;
    if (part == "..") {
      return fail(Errc::invalid_argument, "entry '" + std::string(name) + "' escapes the layer root");
    }
    if (!out.empty()) out.push_back('/');
    out.append(part);
  }
  return out;
}

std::pair<std::string, std::string> split_parent(const std::string& clean) {
  auto slash = clean.rfind('/');
  if (slash == std::string::npos) return {"", clean};
  return {clean.substr(0, slash), clean.substr(slash + 1)};
}

Result<util::UniqueFd> open_dir_beneath(int root_fd, const std::string& rel, bool create) {
  if (rel.empty()) {
    util::UniqueFd fd(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
    if (!fd.valid()) return Error::from_errno("dup");
    return fd;
  }
  int fd = openat2_beneath(root_fd, rel);
  if (fd >= 0) return util::UniqueFd(fd);
  if (errno == ENOSYS || (errno == ENOENT && create)) return walk_components(root_fd, rel, create);
  return resolve_error(rel, errno);
}

Result<void> remove_at(int dir_fd, const std::string& name) {
  if (::unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return util::ok();
  if (errno != EISDIR) return Error::from_errno("remove '" + name + "'");
  if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) == 0) return util::ok();
  // A non-empty directory: the /proc path is resolved by the kernel from our own fd, and
  // remove_all never follows symlinks inside the tree.
  (void)util::remove_tree("/proc/self/fd/" + std::to_string(dir_fd) + "/" + name);
  struct stat st;
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    return fail(Errc::io, "could not remove directory '" + name + "'");
  }
  return util::ok();
}

}  // namespace stack::image
