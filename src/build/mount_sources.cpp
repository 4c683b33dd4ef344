#include "build/mount_sources.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "image/fs.hpp"
#include "runtime/sys/mount.hpp"
#include "util/fd.hpp"

namespace stack::build {

using util::Error;
using util::UniqueFd;

namespace {

Result<void> copy_file(const std::string& from, const std::string& to, mode_t mode) {
  STACK_ASSIGN_OR_RETURN(UniqueFd in, UniqueFd::open(from, O_RDONLY | O_CLOEXEC));
  STACK_ASSIGN_OR_RETURN(UniqueFd out, UniqueFd::open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  // copy_file_range lets the file system share or copy the blocks without a pass through memory.
  while (true) {
    ssize_t n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr, 1 << 30, 0);
    if (n == 0) break;
    if (n > 0) continue;
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return Error::from_errno("copy '" + from + "'");
    char buf[1 << 16];
    while (true) {  // a file system that cannot: read and write
      ssize_t r = ::read(in.get(), buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return Error::from_errno("read '" + from + "'");
      if (r == 0) break;
      STACK_TRY(util::write_all(out.get(), std::string_view(buf, static_cast<size_t>(r))));
    }
    break;
  }
  if (::fchmod(out.get(), mode) != 0) return Error::from_errno("chmod '" + to + "'");
  return util::ok();
}

}  // namespace

Result<void> write_selection(const CopySelection& selection, const std::string& dir, bool owned_by_root) {
  STACK_TRY(image::make_dirs(dir, 0755));
  for (const CopyItem& item : selection.items) {
    std::string path = dir + "/" + item.dest;
    const struct stat& st = item.source.st;
    mode_t mode = st.st_mode & 07777;
    STACK_TRY(image::make_dirs(std::filesystem::path(path).parent_path().string(), 0755));
    if (S_ISDIR(st.st_mode)) {
      if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) return Error::from_errno("mkdir '" + path + "'");
      if (::chmod(path.c_str(), mode) != 0) return Error::from_errno("chmod '" + path + "'");
    } else if (S_ISREG(st.st_mode)) {
      STACK_TRY(copy_file(item.source.host_path, path, mode));
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlink(item.source.host_path.c_str(), target.data(), target.size());
      if (n < 0) return Error::from_errno("readlink '" + item.source.host_path + "'");
      target.resize(static_cast<size_t>(n));
      if (::symlink(target.c_str(), path.c_str()) != 0) return Error::from_errno("symlink '" + path + "'");
    } else {
      continue;  // devices, fifos and sockets: COPY takes them, a bind mount of sources has no use for them
    }
    uid_t uid = owned_by_root ? 0 : st.st_uid;
    gid_t gid = owned_by_root ? 0 : st.st_gid;
    if (::lchown(path.c_str(), uid, gid) != 0) return Error::from_errno("chown '" + path + "'");
    // chown clears set-id bits: put them back.
    if (!S_ISLNK(st.st_mode) && (mode & 06000) && ::chmod(path.c_str(), mode) != 0) return Error::from_errno("chmod '" + path + "'");
  }
  return util::ok();
}

Result<SecretFiles> SecretFiles::mount(std::string dir) {
  STACK_TRY(image::make_dirs(dir, 0700));
  auto mounted = runtime::sys::mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700,size=4m");
  if (!mounted) return std::move(mounted).error().context("secrets of the step");
  return SecretFiles(std::move(dir));
}

SecretFiles::~SecretFiles() {
  if (dir_.empty()) return;
  (void)runtime::sys::umount(dir_, MNT_DETACH);
  (void)::rmdir(dir_.c_str());
}

Result<std::string> SecretFiles::add(const RunMount& mount, const std::string& content) {
  std::string path = dir_ + "/" + std::to_string(count_++);
  STACK_ASSIGN_OR_RETURN(UniqueFd fd, UniqueFd::open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  STACK_TRY(util::write_all(fd.get(), content));
  if (::fchown(fd.get(), mount.uid, mount.gid) != 0 || ::fchmod(fd.get(), mount.mode) != 0) {
    return Error::from_errno("secret '" + mount.id + "'");
  }
  return path;
}

}  // namespace stack::build
