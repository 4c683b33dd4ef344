// Mounts from the config (binds, volumes, tmpfs), the /etc files, and the masked and read-only
// paths. Destinations resolve inside the root: an image's symlink cannot aim a mount at the host.
#include "runtime/container/mounts.hpp"

#include <sys/mount.h>
#include <unistd.h>

#include <climits>
#include <cstdio>

#include "runtime/container/image_mount.hpp"
#include "runtime/container/steps.hpp"
#include "runtime/sys/file.hpp"
#include "util/tmpfs_options.hpp"

namespace stack::runtime {

using util::Errc;
using util::Error;

namespace {

Result<std::string> real_path_of(int fd) {
  char buf[PATH_MAX];
  ssize_t n = ::readlink(sys::fd_path(fd).c_str(), buf, sizeof buf - 1);
  if (n < 0) return Error::from_errno("readlink");
  return std::string(buf, static_cast<std::size_t>(n));
}

const char* type_name(MountType t) {
  switch (t) {
    case MountType::bind: return "bind";
    case MountType::volume: return "volume";
    case MountType::tmpfs: return "tmpfs";
    case MountType::image: return "image";
  }
  return "mount";
}

Result<void> mount_one(const std::string& root, const MountConfig& m) {
  const std::string what = type_name(m.type);
  if (m.type == MountType::tmpfs) {
    std::string data = "mode=" + [&] {
      char b[16];
      std::snprintf(b, sizeof b, "%o", m.tmpfs_mode);
      return std::string(b);
    }();
    if (m.tmpfs_size > 0) data += ",size=" + std::to_string(m.tmpfs_size);
    STACK_ASSIGN_OR_RETURN(util::TmpfsMountOptions options,
                           util::tmpfs_mount_options(m.tmpfs_options, MS_NOSUID | MS_NODEV | (m.read_only ? MS_RDONLY : 0)));
    if (!options.data.empty()) data += "," + options.data;
    return mount_in_root(root, m.destination, what, "tmpfs", "tmpfs", options.flags, data, true);
  }
  if (m.type == MountType::image) {
    auto dirs = image_mount_dirs(m.image_layers, m.image_subpath);
    if (!dirs) return std::move(dirs).error().context("mount image '" + m.destination + "'");
    // An overlay needs two lower directories when it has no upper one: a single one is bound.
    if (dirs->size() == 1) {
      return mount_in_root(root, m.destination, what, dirs->front(), "", MS_BIND | MS_REC | MS_RDONLY, "", true);
    }
    STACK_ASSIGN_OR_RETURN(std::string data, overlay_options(RootfsConfig{.lower_layers = *dirs}));
    return mount_in_root(root, m.destination, what, "overlay", "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, data, true);
  }
  auto kind = sys::path_kind(m.source);
  if (kind == sys::PathKind::missing) {
    return Error(Errc::not_found, "mount " + what + " '" + m.destination + "': source '" +
                                      m.source + "': No such file or directory", ENOENT);
  }
  unsigned long flags = MS_BIND | MS_REC | (m.read_only ? MS_RDONLY : 0);
  return mount_in_root(root, m.destination, what, m.source, "", flags, "",
                       kind == sys::PathKind::directory);
}

// A path under /proc or /sys that the kernel does not have here is skipped, as docker does.
bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace

Result<void> mount_in_root(const std::string& root, const std::string& destination,
                           const std::string& what, const std::string& source,
                           const std::string& fstype, unsigned long flags, const std::string& data,
                           bool as_dir) {
  const std::string label = "mount " + what + " '" + destination + "'";
  auto fd = sys::open_in_root(root, destination, true, as_dir);
  if (!fd) return Error::from_errno(label, fd.error().sys_errno());
  STACK_ASSIGN_OR_RETURN(std::string target, real_path_of(fd->get()));
  bool bind = flags & MS_BIND;
  auto r = sys::mount(source, target, fstype, bind ? flags & ~MS_RDONLY : flags, data);
  if (!r) return Error::from_errno(label, r.error().sys_errno());
  // Binds take MS_RDONLY only on a remount; private so that nothing leaks back to the source.
  if (bind && (flags & MS_RDONLY)) {
    auto ro = remount_read_only(target);
    if (!ro) return Error::from_errno(label + " read-only", ro.error().sys_errno());
  }
  if (bind) STACK_TRY(sys::make_propagation(target, MS_REC | MS_PRIVATE));
  return util::ok();
}

Result<void> step_config_mounts(ChildContext& ctx) {
  for (const auto& m : ctx.config.mounts) STACK_TRY(mount_one(ctx.root, m));
  return util::ok();
}

Result<void> step_etc_files(ChildContext& ctx) {
  const auto& f = ctx.config.etc_files;
  const std::pair<const std::string*, const char*> files[] = {
      {&f.hosts, "/etc/hosts"}, {&f.hostname, "/etc/hostname"}, {&f.resolv_conf, "/etc/resolv.conf"}};
  for (const auto& [source, dest] : files) {
    if (source->empty()) continue;
    STACK_TRY(mount_in_root(ctx.root, dest, "file", *source, "", MS_BIND, "", false));
  }
  return util::ok();
}

Result<void> step_masked_paths(ChildContext& ctx) {
  for (const auto& path : ctx.config.masked_paths) {
    if (!exists(path)) continue;
    // Files are covered by /dev/null, directories by an empty read-only tmpfs.
    bool dir = sys::path_kind(path) == sys::PathKind::directory;
    auto r = dir ? sys::mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0")
                 : sys::mount("/dev/null", path, "", MS_BIND);
    if (!r) return Error::from_errno("mask '" + path + "'", r.error().sys_errno());
  }
  return util::ok();
}

Result<void> step_readonly_paths(ChildContext& ctx) {
  for (const auto& path : ctx.config.readonly_paths) {
    if (!exists(path)) continue;
    auto r = sys::mount(path, path, "", MS_BIND | MS_REC);
    if (r) r = remount_read_only(path);
    if (!r) return Error::from_errno("make '" + path + "' read-only", r.error().sys_errno());
  }
  return util::ok();
}

}  // namespace stack::runtime
