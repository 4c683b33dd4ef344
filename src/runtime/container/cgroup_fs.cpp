#include "runtime/container/cgroup_fs.hpp"

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "runtime/container/steps.hpp"
#include "runtime/sys/mount.hpp"

namespace stack::runtime {

using util::Error;

namespace {

constexpr const char* kCgroupRoot = "/sys/fs/cgroup";

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Result<void> make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0555) < 0 && errno != EEXIST) return Error::from_errno("mkdir '" + path + "'");
  return util::ok();
}

// A stack file that mounts something at /sys or inside /sys/fs/cgroup asks for its own view.
bool mounted_by_user(const ContainerConfig& config) {
  for (const auto& m : config.mounts) {
    const std::string& d = m.destination;
    if (d == "/sys" || d == "/sys/fs" || d.starts_with(std::string(kCgroupRoot))) return true;
  }
  return false;
}

}  // namespace

CgroupFsLayout cgroup_fs_layout(const cgroup::Hierarchy& host) {
  CgroupFsLayout layout;
  if (host.version == cgroup::Version::v2) {
    layout.unified = !host.unified.empty();
    return layout;
  }
  std::map<std::string, std::string> options_by_mount;  // mount point -> "cpu,cpuacct"
  for (const auto& [controller, mount_point] : host.controllers) {
    auto& options = options_by_mount[mount_point];
    options += (options.empty() ? "" : ",") + controller;
  }
  for (const auto& [mount_point, options] : options_by_mount) {
    std::string dir = base_name(mount_point);
    layout.v1.push_back({dir, options});
  }
  for (const auto& [controller, mount_point] : host.controllers) {
    std::string dir = base_name(mount_point);
    if (dir != controller) layout.links.emplace_back(controller, dir);
  }
  if (!host.unified.empty()) layout.hybrid_unified = base_name(host.unified);
  return layout;
}

const CgroupFsLayout& host_cgroup_fs_layout() {
  static const CgroupFsLayout layout = [] {
    auto host = cgroup::detect_hierarchy();
    return host ? cgroup_fs_layout(*host) : CgroupFsLayout{};
  }();
  return layout;
}

Result<void> mount_cgroup_fs(const CgroupFsLayout& layout, bool read_only) {
  const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (read_only ? MS_RDONLY : 0);
  const std::string root = kCgroupRoot;
  if (layout.unified) return sys::mount("cgroup2", root, "cgroup2", flags);
  // The tmpfs stays writable until its directories are made, as on the host.
  STACK_TRY(sys::mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755"));
  for (const auto& m : layout.v1) {
    STACK_TRY(make_dir(root + "/" + m.dir));
    STACK_TRY(sys::mount("cgroup", root + "/" + m.dir, "cgroup", flags, m.options));
  }
  for (const auto& [link, target] : layout.links) {
    if (::symlink(target.c_str(), (root + "/" + link).c_str()) < 0 && errno != EEXIST) {
      return Error::from_errno("symlink '" + root + "/" + link + "'");
    }
  }
  if (!layout.hybrid_unified.empty()) {
    STACK_TRY(make_dir(root + "/" + layout.hybrid_unified));
    STACK_TRY(sys::mount("cgroup2", root + "/" + layout.hybrid_unified, "cgroup2", flags));
  }
  if (read_only) STACK_TRY(sys::remount(root, MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
  return util::ok();
}

Result<void> join_cgroup_itself(const std::vector<int>& tasks_fds) {
  // "0" is the writing thread; this process has one (Manager::self_join_files says why).
  for (int fd : tasks_fds) {
    if (::write(fd, "0", 1) != 1) return Error::from_errno("join cgroup: write tasks");
    ::close(fd);  // an init that never execs must not keep it
  }
  return util::ok();
}

Result<void> step_join_cgroup(ChildContext& ctx) { return join_cgroup_itself(ctx.cgroup_tasks); }

Result<void> step_cgroup_namespace(ChildContext& /*ctx*/) {
  // Made now, after the parent moved the process into its cgroups: the namespace's root is the
  // container's own cgroup ("0::/"), not the shim's, as a clone-time CLONE_NEWCGROUP would give.
  if (::unshare(CLONE_NEWCGROUP) < 0) return Error::from_errno("unshare cgroup namespace");
  return util::ok();
}

Result<void> step_cgroup_fs(ChildContext& ctx) {
  const auto& layout = host_cgroup_fs_layout();
  if (layout.empty() || mounted_by_user(ctx.config)) return util::ok();
  // As docker: read-only, except for a privileged container.
  return mount_cgroup_fs(layout, !ctx.config.security.capabilities.privileged);
}

}  // namespace stack::runtime
