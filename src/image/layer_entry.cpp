#include "image/layer_entry.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <utility>

#include "image/path_safety.hpp"
#include "image/whiteout.hpp"

namespace stack::image {

using util::Errc;
using util::Error;
using util::fail;

struct EntryWriter::Meta {
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t perm = 0;  // includes setuid, setgid and sticky
  timespec times[2] = {};
  std::vector<std::pair<std::string, std::string>> xattrs;
};

namespace {

// overlayfs reads trusted.overlay.* on lower layers (opaque, redirect, metacopy): a layer must not
// smuggle them in; the one we need is made from .wh..wh..opq.
bool allowed_xattr(std::string_view name) { return !name.starts_with("trusted.overlay."); }

Result<void> set_xattr_result(int rc, const std::string& name) {
  // A filesystem without support for a namespace (e.g. security.selinux) is not a broken layer.
  if (rc == 0 || errno == ENOTSUP) return util::ok();
  return Error::from_errno("set xattr '" + name + "'");
}

// On an open file or directory: owner first (chown clears setuid bits), then mode, then xattrs
// (chown also clears security.capability).
Result<void> apply_fd_meta(int fd, const EntryWriter::Meta& m, bool times) {
  if (::fchown(fd, m.uid, m.gid) != 0) return Error::from_errno("chown");
  if (::fchmod(fd, m.perm) != 0) return Error::from_errno("chmod");
  for (const auto& [name, value] : m.xattrs) {
    STACK_TRY(set_xattr_result(::fsetxattr(fd, name.c_str(), value.data(), value.size(), 0), name));
  }
  if (times && ::futimens(fd, m.times) != 0) return Error::from_errno("set times");
  return util::ok();
}

// On a symlink or device node, which cannot be opened for writing.
Result<void> apply_path_meta(int dir, const std::string& base, const EntryWriter::Meta& m,
                             bool is_symlink) {
  if (::fchownat(dir, base.c_str(), m.uid, m.gid, AT_SYMLINK_NOFOLLOW) != 0) {
    return Error::from_errno("chown");
  }
  if (!is_symlink && ::fchmodat(dir, base.c_str(), m.perm, 0) != 0) return Error::from_errno("chmod");
  std::string proc = "/proc/self/fd/" + std::to_string(dir) + "/" + base;
  for (const auto& [name, value] : m.xattrs) {
    STACK_TRY(set_xattr_result(::lsetxattr(proc.c_str(), name.c_str(), value.data(), value.size(), 0),
                               name));
  }
  if (::utimensat(dir, base.c_str(), m.times, AT_SYMLINK_NOFOLLOW) != 0) {
    return Error::from_errno("set times");
  }
  return util::ok();
}

EntryWriter::Meta read_meta(archive_entry* e) {
  EntryWriter::Meta m;
  m.uid = static_cast<uid_t>(archive_entry_uid(e));
  m.gid = static_cast<gid_t>(archive_entry_gid(e));
  m.perm = archive_entry_perm(e) & 07777;
  m.times[1] = {archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
  m.times[0] = archive_entry_atime_is_set(e)
                   ? timespec{archive_entry_atime(e), archive_entry_atime_nsec(e)}
                   : m.times[1];
  archive_entry_xattr_reset(e);
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    if (name && allowed_xattr(name)) {
      m.xattrs.emplace_back(name, std::string(static_cast<const char*>(value), size));
    }
  }
  return m;
}

const char* entry_name(archive_entry* e) {
  const char* name = archive_entry_pathname(e);
  return name ? name : archive_entry_pathname_utf8(e);
}

}  // namespace

Result<void> EntryWriter::write(archive* ar, archive_entry* entry) {
  const char* raw = entry_name(entry);
  if (!raw) return fail(Errc::parse, "entry without a name");
  STACK_ASSIGN_OR_RETURN(std::string path, clean_entry_path(raw));
  auto written = write_entry(ar, entry, path);
  if (!written) return std::move(written).context("entry '" + std::string(raw) + "'");
  return util::ok();
}

Result<void> EntryWriter::write_entry(archive* ar, archive_entry* e, const std::string& path) {
  STACK_ASSIGN_OR_RETURN(WhiteoutName wh, classify_whiteout(path));
  if (wh.kind == WhiteoutKind::meta) return util::ok();
  if (wh.kind != WhiteoutKind::none) return write_whiteout(wh.target, wh.kind == WhiteoutKind::opaque);
  Meta m = read_meta(e);
  auto [parent, base] = split_parent(path);
  if (base.empty()) {  // "./": the layer root itself
    if (archive_entry_filetype(e) != AE_IFDIR) return fail(Errc::parse, "the root is not a directory");
    dir_times_.push_back({"", {m.times[0], m.times[1]}});
    return apply_fd_meta(root_fd_, m, false);
  }
  STACK_ASSIGN_OR_RETURN(util::UniqueFd dir, open_dir_beneath(root_fd_, parent, true));
  if (const char* link = archive_entry_hardlink(e)) return write_hardlink(dir.get(), base, link);
  switch (archive_entry_filetype(e)) {
    case AE_IFDIR:
      return write_dir(dir.get(), base, path, m);
    case AE_IFREG:
      return write_file(ar, e, dir.get(), base, m);
    case AE_IFLNK:
      return write_symlink(dir.get(), base, archive_entry_symlink(e), m);
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      return write_special(dir.get(), base, e, m);
    default:
      return util::ok();  // sockets have no meaning in an image
  }
}

Result<void> EntryWriter::write_whiteout(const std::string& target, bool opaque) {
  if (opaque) {
    STACK_ASSIGN_OR_RETURN(util::UniqueFd dir, open_dir_beneath(root_fd_, target, true));
    return make_opaque(dir.get());
  }
  auto [parent, base] = split_parent(target);
  STACK_ASSIGN_OR_RETURN(util::UniqueFd dir, open_dir_beneath(root_fd_, parent, true));
  return make_whiteout(dir.get(), base);
}

Result<void> EntryWriter::write_dir(int dir, const std::string& base, const std::string& path,
                                    const Meta& m) {
  struct stat st;
  if (::fstatat(dir, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
    STACK_TRY(remove_at(dir, base));
  }
  if (::mkdirat(dir, base.c_str(), 0700) != 0 && errno != EEXIST) return Error::from_errno("mkdir");
  STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, util::UniqueFd::open_at(dir, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  dir_times_.push_back({path, {m.times[0], m.times[1]}});
  return apply_fd_meta(fd.get(), m, false);
}

Result<void> EntryWriter::write_file(archive* ar, archive_entry* e, int dir, const std::string& base,
                                     const Meta& m) {
  // Replace, never write through: whatever this layer put here before (a symlink to /etc/passwd,
  // say) is removed and the file made with O_EXCL | O_NOFOLLOW.
  STACK_TRY(remove_at(dir, base));
  STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, util::UniqueFd::open_at(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600));
  if (archive_entry_size(e) > 0) {
    int rc = archive_read_data_into_fd(ar, fd.get());
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      const char* why = archive_error_string(ar);
      return fail(Errc::parse, std::string("read data: ") + (why ? why : "unknown error"));
    }
    // A sparse file ending in a hole has nothing written for its tail.
    if (::ftruncate(fd.get(), archive_entry_size(e)) != 0) return Error::from_errno("truncate");
  }
  return apply_fd_meta(fd.get(), m, true);
}

Result<void> EntryWriter::write_hardlink(int dir, const std::string& base, const std::string& target) {
  auto clean = clean_entry_path(target);
  if (!clean || clean->empty()) {
    return fail(Errc::invalid_argument, "hard link target '" + target + "' escapes the layer root");
  }
  auto [tparent, tbase] = split_parent(*clean);
  STACK_ASSIGN_OR_RETURN(util::UniqueFd tdir, open_dir_beneath(root_fd_, tparent, false));
  struct stat st;
  if (::fstatat(tdir.get(), tbase.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return Error::from_errno("hard link target '" + target + "'");
  }
  if (S_ISDIR(st.st_mode)) {
    return fail(Errc::invalid_argument, "hard link target '" + target + "' is a directory");
  }
  STACK_TRY(remove_at(dir, base));
  // linkat without AT_SYMLINK_FOLLOW links a symlink itself, never what it points at.
  if (::linkat(tdir.get(), tbase.c_str(), dir, base.c_str(), 0) != 0) {
    return Error::from_errno("link to '" + target + "'");
  }
  return util::ok();
}

Result<void> EntryWriter::write_symlink(int dir, const std::string& base, const char* target,
                                        const Meta& m) {
  if (!target) return fail(Errc::parse, "symlink without a target");
  STACK_TRY(remove_at(dir, base));
  if (::symlinkat(target, dir, base.c_str()) != 0) return Error::from_errno("symlink");
  return apply_path_meta(dir, base, m, true);
}

Result<void> EntryWriter::write_special(int dir, const std::string& base, archive_entry* e,
                                        const Meta& m) {
  STACK_TRY(remove_at(dir, base));
  mode_t type = archive_entry_filetype(e);
  if (::mknodat(dir, base.c_str(), type | 0600, archive_entry_rdev(e)) != 0) {
    return Error::from_errno("mknod");
  }
  return apply_path_meta(dir, base, m, false);
}

Result<void> EntryWriter::finish() {
  for (const auto& d : dir_times_) {
    // A later entry may have replaced the directory: its times no longer matter.
    auto fd = open_dir_beneath(root_fd_, d.path, false);
    if (!fd) continue;
    if (::futimens(fd->get(), d.times) != 0) return Error::from_errno("set times on '" + d.path + "'");
  }
  return util::ok();
}

}  // namespace stack::image
