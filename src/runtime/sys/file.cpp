#include "runtime/sys/file.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace stack::runtime::sys {

using util::Errc;
using util::Error;
using util::UniqueFd;

Result<bool> mkdir_p(const std::string& path, mode_t mode) {
  if (path.empty()) return Error(Errc::invalid_argument, "mkdir: empty path");
  // The whole path first, its parents only when one is missing: one call where the parents exist
  // (a container's directories: the shim made five from "/" each time, 30 calls instead of 5).
  if (::mkdir(path.c_str(), mode) == 0) return true;
  if (errno == ENOENT) {
    const std::size_t slash = path.find_last_of('/', path.find_last_not_of('/'));
    if (slash != std::string::npos && slash != 0) STACK_TRY(mkdir_p(path.substr(0, slash), mode));
    if (::mkdir(path.c_str(), mode) == 0) return true;
  }
  if (errno != EEXIST) return Error::from_errno("mkdir '" + path + "'");
  if (path_kind(path) != PathKind::directory) {
    return Error(Errc::conflict, "mkdir '" + path + "': not a directory", ENOTDIR);
  }
  return false;
}

Result<void> write_file(const std::string& path, const std::string& content, mode_t mode) {
  STACK_ASSIGN_OR_RETURN(UniqueFd fd, UniqueFd::open(path, O_WRONLY | O_CREAT | O_TRUNC, mode));
  return util::write_all(fd.get(), content).context("writing '" + path + "'");
}

Result<void> mknod(const std::string& path, mode_t mode, dev_t dev) {
  if (::mknod(path.c_str(), mode, dev) < 0) return Error::from_errno("mknod '" + path + "'");
  return util::ok();
}

Result<void> symlink(const std::string& target, const std::string& link_path) {
  if (::symlink(target.c_str(), link_path.c_str()) < 0) {
    return Error::from_errno("symlink '" + link_path + "'");
  }
  return util::ok();
}

PathKind path_kind(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) < 0) return PathKind::missing;
  return S_ISDIR(st.st_mode) ? PathKind::directory : PathKind::other;
}

namespace {

Result<UniqueFd> openat2_in_root(int root_fd, const std::string& rel, std::uint64_t flags) {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  long fd;
  do {
    fd = ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how);
  } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
  if (fd < 0) return Error::from_errno("open '" + rel + "'");
  return UniqueFd(static_cast<int>(fd));
}

// Creates the component `name` in the directory `parent` (already resolved inside the root).
Result<void> create_component(int parent, const std::string& name, bool as_dir) {
  int r = as_dir ? ::mkdirat(parent, name.c_str(), 0755)
                 : ::mknodat(parent, name.c_str(), S_IFREG | 0644, 0);
  if (r < 0 && errno != EEXIST) return Error::from_errno("create '" + name + "'");
  return util::ok();
}

}  // namespace

Result<UniqueFd> open_in_root(const std::string& root, const std::string& path, bool create,
                              bool as_dir) {
  STACK_ASSIGN_OR_RETURN(UniqueFd root_fd, UniqueFd::open(root, O_PATH | O_DIRECTORY));
  std::string rel = path;
  while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
  if (rel.empty()) return root_fd;
  if (!create) return openat2_in_root(root_fd.get(), rel, O_PATH);
  // Walk component by component, creating what is missing; each prefix is resolved in the root,
  // so a symlink met on the way is followed inside the root, never out of it.
  std::size_t pos = 0;
  STACK_ASSIGN_OR_RETURN(UniqueFd current, root_fd.dup());
  std::string done;
  while (pos <= rel.size()) {
    std::size_t next = rel.find('/', pos);
    if (next == std::string::npos) next = rel.size();
    std::string name = rel.substr(pos, next - pos);
    pos = next + 1;
    if (name.empty() || name == ".") continue;
    bool last = pos > rel.size();
    done += (done.empty() ? "" : "/") + name;
    auto opened = openat2_in_root(root_fd.get(), done, O_PATH);
    if (!opened && opened.error().sys_errno() == ENOENT) {
      STACK_TRY(create_component(current.get(), name, !last || as_dir));
      opened = openat2_in_root(root_fd.get(), done, O_PATH);
    }
    if (!opened) return std::move(opened).error();
    current = std::move(*opened);
  }
  return current;
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

}  // namespace stack::runtime::sys
