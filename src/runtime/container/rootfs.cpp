// The root file system: private propagation, the overlay (or a plain directory), the working
// directory, pivot_root into it, and the read-only remount.
#include <sys/mount.h>
#include <sys/statvfs.h>

#include "runtime/container/mounts.hpp"
#include "runtime/container/steps.hpp"
#include "runtime/sys/file.hpp"
#include "runtime/sys/process.hpp"

namespace stack::runtime {

using util::Errc;
using util::Error;

unsigned long mount_flags_of(const std::string& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) < 0) return 0;
  unsigned long flags = 0;
  if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

Result<void> remount_read_only(const std::string& path) {
  // A bind remount changes this mount's flags only; the flags it already has must be restated
  // or the kernel refuses (locked flags) or silently drops them.
  return sys::remount(path, MS_BIND | MS_RDONLY | mount_flags_of(path));
}

Result<std::string> overlay_options(const RootfsConfig& r) {
  std::string lower;
  for (const auto& layer : r.lower_layers) {
    if (layer.find_first_of(":,") != std::string::npos) {
      return Error(Errc::invalid_argument, "layer path '" + layer + "' contains ':' or ','");
    }
    lower += (lower.empty() ? "" : ":") + layer;
  }
  std::string data = "lowerdir=" + lower;
  if (!r.upper_dir.empty()) data += ",upperdir=" + r.upper_dir + ",workdir=" + r.work_dir;
  // mount(2) takes one page of options.
  if (data.size() >= 4096) {
    return Error(Errc::unsupported, "overlay options too long for " +
                                        std::to_string(r.lower_layers.size()) + " layers");
  }
  return data;
}

Result<void> step_private_mounts(ChildContext&) {
  // Nothing mounted from here on may propagate back to the host (systemd makes / shared).
  return sys::make_propagation("/", MS_REC | MS_PRIVATE);
}

Result<void> step_rootfs(ChildContext& ctx) {
  const auto& r = ctx.config.rootfs;
  if (!r.directory.empty()) {
    // A bind of the directory onto itself makes it a mount point, which pivot_root needs.
    ctx.root = r.directory;
    auto m = sys::mount(r.directory, r.directory, "", MS_BIND | MS_REC);
    if (!m) return Error::from_errno("bind rootfs '" + r.directory + "'", m.error().sys_errno());
    return util::ok();
  }
  ctx.root = r.merged_dir;
  if (r.upper_dir.empty() && r.lower_layers.size() == 1) {
    // overlayfs wants two lower layers when it has no upper one: a read-only bind does the same.
    auto m = sys::mount(r.lower_layers[0], r.merged_dir, "", MS_BIND | MS_REC);
    if (!m) return Error::from_errno("bind rootfs '" + r.lower_layers[0] + "'", m.error().sys_errno());
    return remount_read_only(r.merged_dir);
  }
  STACK_ASSIGN_OR_RETURN(std::string data, overlay_options(r));
  auto m = sys::mount("overlay", r.merged_dir, "overlay", 0, data);
  if (!m) return Error::from_errno("mount overlay rootfs '" + r.merged_dir + "'", m.error().sys_errno());
  return util::ok();
}

Result<void> step_workdir(ChildContext& ctx) {
  // Like runc, a missing working directory is created (as root, before the user switch).
  auto fd = sys::open_in_root(ctx.root, ctx.config.cwd, true, true);
  if (!fd) return Error::from_errno("create cwd '" + ctx.config.cwd + "'", fd.error().sys_errno());
  return util::ok();
}

Result<void> step_pivot_root(ChildContext& ctx) {
  // pivot_root(".", ".") stacks the old root under the new one; unmounting "." then detaches the
  // old root without needing a directory for it. chroot would leave the host reachable.
  STACK_TRY(sys::chdir(ctx.root));
  STACK_TRY(sys::pivot_root(".", "."));
  STACK_TRY(sys::umount(".", MNT_DETACH));
  STACK_TRY(sys::chdir("/"));
  ctx.root = "/";
  return util::ok();
}

Result<void> step_readonly_rootfs(ChildContext&) {
  auto r = remount_read_only("/");
  if (!r) return Error::from_errno("remount rootfs read-only", r.error().sys_errno());
  return util::ok();
}

}  // namespace stack::runtime
