#include "runtime/container_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <vector>

#include "runtime/sys/file.hpp"
#include "util/dir.hpp"

namespace stack::runtime {

using util::Error;
using util::Result;
using util::UniqueFd;

namespace {

// "/a/b/c" -> {"/a/b", "c"}; "/c" -> {"/", "c"}.
std::pair<std::string, std::string> split_parent(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return {"/", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

// A name beside the final one, unique in this process, that the rename then moves into place.
std::string staging_name(const std::string& name) {
  static std::atomic<unsigned> counter{0};
  return "." + name + ".stack-sync-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

Result<void> copy_bytes(int from, int to, const std::string& host) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read '" + host + "'");
    if (n == 0) return util::ok();
    STACK_TRY(util::write_all(to, std::string_view(buf, static_cast<size_t>(n))));
  }
}

// Writes the staged entry, then renames it over name in parent; the staged one goes on failure.
Result<void> place(int parent, const std::string& staged, const std::string& name, Result<void> written) {
  if (written && ::renameat(parent, staged.c_str(), parent, name.c_str()) == 0) return util::ok();
  Error error = written ? Error::from_errno("rename to '" + name + "'") : std::move(written).error();
  ::unlinkat(parent, staged.c_str(), 0);
  return error;
}

Result<void> copy_regular(int parent, const std::string& name, const std::string& host, const struct stat& st) {
  STACK_ASSIGN_OR_RETURN(UniqueFd in, UniqueFd::open(host, O_RDONLY | O_NOFOLLOW));
  std::string staged = staging_name(name);
  STACK_ASSIGN_OR_RETURN(UniqueFd out,
                         UniqueFd::open_at(parent, staged, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600));
  auto written = [&]() -> Result<void> {
    STACK_TRY(copy_bytes(in.get(), out.get(), host));
    if (::fchown(out.get(), st.st_uid, st.st_gid) < 0) return Error::from_errno("chown '" + name + "'");
    if (::fchmod(out.get(), st.st_mode & 07777) < 0) return Error::from_errno("chmod '" + name + "'");
    return util::ok();
  }();
  return place(parent, staged, name, std::move(written));
}

Result<void> copy_symlink(int parent, const std::string& name, const std::string& host, const struct stat& st) {
  std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
  ssize_t n = ::readlink(host.c_str(), target.data(), target.size());
  if (n < 0) return Error::from_errno("readlink '" + host + "'");
  target.resize(static_cast<size_t>(n));
  std::string staged = staging_name(name);
  if (::symlinkat(target.c_str(), parent, staged.c_str()) < 0) return Error::from_errno("symlink '" + name + "'");
  Result<void> owned = util::ok();
  if (::fchownat(parent, staged.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    owned = Error::from_errno("chown '" + name + "'");
  return place(parent, staged, name, std::move(owned));
}

// rm -rf of name in dir, one descriptor-relative call at a time: nothing is looked up by a path
// that the container could change under us, and no symlink is followed.
Result<void> remove_at(int dir, const std::string& name) {
  if (::unlinkat(dir, name.c_str(), 0) == 0 || errno == ENOENT) return util::ok();
  if (errno != EISDIR && errno != EPERM) return Error::from_errno("remove '" + name + "'");
  STACK_ASSIGN_OR_RETURN(UniqueFd child, UniqueFd::open_at(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  STACK_ASSIGN_OR_RETURN(UniqueFd listing, child.dup());
  DIR* stream = ::fdopendir(listing.get());
  if (stream == nullptr) return Error::from_errno("opendir '" + name + "'");
  listing.release();
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(stream)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  ::closedir(stream);
  for (const std::string& n : names) STACK_TRY(remove_at(child.get(), n));
  if (::unlinkat(dir, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
    return Error::from_errno("remove '" + name + "'");
  return util::ok();
}

}  // namespace

Result<ContainerFiles> ContainerFiles::open(pid_t pid) { return open_root("/proc/" + std::to_string(pid) + "/root"); }

Result<ContainerFiles> ContainerFiles::open_root(const std::string& dir) {
  auto fd = UniqueFd::open(dir, O_PATH | O_DIRECTORY);
  if (!fd) return std::move(fd).error().context("container root");
  return ContainerFiles(std::move(*fd));
}

std::string ContainerFiles::root_path() const { return sys::fd_path(root_.get()); }

Result<void> ContainerFiles::copy(const std::string& host_path, const std::string& container_path,
                                  const std::function<bool(const std::string&)>& skip) const {
  if (container_path.empty() || container_path.front() != '/')
    return util::fail(util::Errc::invalid_argument, "container path '" + container_path + "' is not absolute");
  return copy_entry(host_path, container_path, skip);
}

Result<void> ContainerFiles::copy_entry(const std::string& host, const std::string& target,
                                        const std::function<bool(const std::string&)>& skip) const {
  struct stat st {};
  if (::lstat(host.c_str(), &st) < 0) {
    if (errno == ENOENT) return util::ok();  // gone meanwhile: the next batch removes it
    return Error::from_errno("stat '" + host + "'");
  }
  if (S_ISDIR(st.st_mode)) {
    // The directory itself, resolved (and made) inside the container's root.
    auto dir = sys::open_in_root(root_path(), target, true, true);
    if (!dir) return std::move(dir).error().context("'" + target + "'");
    STACK_ASSIGN_OR_RETURN(std::vector<std::string> names, util::list_dir(host));
    for (const std::string& name : names) {
      std::string child = host + "/" + name;
      if (skip && skip(child)) continue;
      STACK_TRY(copy_entry(child, target == "/" ? "/" + name : target + "/" + name, skip));
    }
    return util::ok();
  }
  if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) return util::ok();
  auto [parent_path, name] = split_parent(target);
  if (name.empty() || name == "." || name == "..")
    return util::fail(util::Errc::invalid_argument, "cannot copy a file to '" + target + "'");
  auto parent = sys::open_in_root(root_path(), parent_path, true, true);
  if (!parent) return std::move(parent).error().context("'" + parent_path + "'");
  Result<void> r = S_ISREG(st.st_mode) ? copy_regular(parent->get(), name, host, st)
                                       : copy_symlink(parent->get(), name, host, st);
  if (!r) return std::move(r).error().context("copying '" + host + "' to '" + target + "'");
  return util::ok();
}

Result<bool> ContainerFiles::remove(const std::string& container_path) const {
  auto [parent_path, name] = split_parent(container_path);
  if (name.empty() || name == "." || name == "..")
    return util::fail(util::Errc::invalid_argument, "refusing to remove '" + container_path + "'");
  auto parent = sys::open_in_root(root_path(), parent_path, false, true);
  if (!parent) {
    if (parent.error().sys_errno() == ENOENT || parent.error().sys_errno() == ENOTDIR) return false;
    return std::move(parent).error().context("'" + parent_path + "'");
  }
  struct stat st {};
  if (::fstatat(parent->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return false;
    return Error::from_errno("stat '" + container_path + "'");
  }
  auto removed = remove_at(parent->get(), name);
  if (!removed) return std::move(removed).error().context("'" + container_path + "'");
  return true;
}

}  // namespace stack::runtime
