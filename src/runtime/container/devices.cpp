// /dev: a tmpfs with the few device nodes a container needs, its own devpts instance, /dev/shm
// sized from the config, and the POSIX message queue file system.
//
// The nodes are made with mknod rather than bind-mounted from the host's /dev: the runtime runs
// as real root (no user namespace), so mknod is allowed; the nodes then live on the container's
// tmpfs and vanish with it, and there is one mount for /dev instead of one per device. Access is
// still decided by the devices cgroup (device_access.hpp), not by where the node came from. Host
// devices the config names (compose `devices`) are made the same way, with the host node's numbers.
//
// A container that joins another's IPC namespace, or the host's, gets that container's /dev/shm
// (or the host's) too, as docker gives it: POSIX shared memory (shm_open) lives there, SysV's in
// the namespace itself.
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/container/mounts.hpp"
#include "runtime/container/steps.hpp"
#include "runtime/sys/file.hpp"
#include "runtime/sys/process.hpp"

namespace stack::runtime {

using util::Errc;
using util::Error;

namespace {

struct FixedNode {
  const char* name;
  unsigned major;
  unsigned minor;
};

constexpr FixedNode kNodes[] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

constexpr std::pair<const char*, const char*> kLinks[] = {
    {"/proc/self/fd", "fd"},
    {"/proc/self/fd/0", "stdin"},
    {"/proc/self/fd/1", "stdout"},
    {"/proc/self/fd/2", "stderr"},
};

std::string dev_path(const ChildContext& ctx, const std::string& name) {
  return (ctx.root == "/" ? "" : ctx.root) + "/dev/" + name;
}

// A device of the config (compose `devices`), with the host node's mode and owner; one of the
// fixed nodes at the same path is replaced, as docker's --device /dev/null:/dev/null would.
Result<void> make_device_node(const ChildContext& ctx, const DeviceNode& d) {
  std::string path = (ctx.root == "/" ? "" : ctx.root) + d.path;
  STACK_TRY(sys::mkdir_p(path.substr(0, path.rfind('/')), 0755));
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Error::from_errno("unlink '" + path + "'");
  mode_t kind = d.type == "b" ? S_IFBLK : S_IFCHR;
  STACK_TRY(sys::mknod(path, kind | (d.file_mode & 07777), makedev(d.major, d.minor)));
  if (::chmod(path.c_str(), d.file_mode & 07777) < 0) return Error::from_errno("chmod '" + path + "'");
  if (::chown(path.c_str(), d.uid, d.gid) < 0) return Error::from_errno("chown '" + path + "'");
  return util::ok();
}

}  // namespace

Result<void> step_dev(ChildContext& ctx) {
  STACK_TRY(mount_in_root(ctx.root, "/dev", "dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
                          "mode=755,size=65536k", true));
  for (const auto& n : kNodes) {
    std::string path = dev_path(ctx, n.name);
    STACK_TRY(sys::mknod(path, S_IFCHR | 0666, makedev(n.major, n.minor)));
    // mknod applies the umask; the nodes must be usable by every user.
    if (::chmod(path.c_str(), 0666) < 0) return Error::from_errno("chmod '" + path + "'");
  }
  for (const auto& [target, name] : kLinks) STACK_TRY(sys::symlink(target, dev_path(ctx, name)));
  for (const DeviceNode& d : ctx.config.devices) STACK_TRY(make_device_node(ctx, d));
  return util::ok();
}

Result<void> step_devpts(ChildContext& ctx) {
  // newinstance: the container's ptys are its own, not the host's.
  STACK_TRY(mount_in_root(ctx.root, "/dev/pts", "devpts", "devpts", "devpts",
                          MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5", true));
  return sys::symlink("pts/ptmx", dev_path(ctx, "ptmx"));
}

namespace {

// The /dev/shm of the container whose IPC namespace this one joined: a clone of that mount, taken
// inside its mount namespace (a bind mount cannot reach into another namespace), then attached
// here. The namespace is the one of the target's process now, as join_path is.
Result<void> share_joined_shm(ChildContext& ctx) {
  std::string target_ns = ctx.config.ipc.join_path;  // /proc/<pid>/ns/ipc
  const std::string suffix = "/ipc";
  if (!target_ns.ends_with(suffix)) return Error(Errc::internal, "ipc join path '" + target_ns + "'");
  target_ns.replace(target_ns.size() - suffix.size(), suffix.size(), "/mnt");
  const std::string label = "the /dev/shm of the IPC namespace's container";
  STACK_ASSIGN_OR_RETURN(util::UniqueFd target, util::UniqueFd::open(target_ns, O_RDONLY | O_CLOEXEC));
  STACK_ASSIGN_OR_RETURN(util::UniqueFd own, util::UniqueFd::open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC));
  STACK_TRY(sys::setns(target.get(), CLONE_NEWNS).context(label));
  const int tree = static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, "/dev/shm", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
  const int err = errno;
  // Back before anything else: every later step works in this container's namespace.
  if (auto back = sys::setns(own.get(), CLONE_NEWNS); !back) return std::move(back).error().context(label);
  if (tree < 0) return Error::from_errno("clone " + label, err);
  util::UniqueFd tree_fd(tree);
  STACK_ASSIGN_OR_RETURN(util::UniqueFd at, sys::open_in_root(ctx.root, "/dev/shm", true, true));
  if (::syscall(SYS_move_mount, tree_fd.get(), "", at.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
    return Error::from_errno("mount " + label);
  }
  return util::ok();
}

}  // namespace

Result<void> step_shm(ChildContext& ctx) {
  if (ctx.config.ipc.mode == ShareMode::join) return share_joined_shm(ctx);
  // The host's IPC namespace comes with the host's /dev/shm (still this namespace's: before pivot_root).
  if (ctx.config.ipc.mode == ShareMode::host) {
    return mount_in_root(ctx.root, "/dev/shm", "the host's /dev/shm", "/dev/shm", "", MS_BIND | MS_REC, "", true);
  }
  std::uint64_t size = ctx.config.shm_size ? ctx.config.shm_size : kDefaultShmSize;
  return mount_in_root(ctx.root, "/dev/shm", "shm", "shm", "tmpfs",
                       MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=" + std::to_string(size),
                       true);
}

Result<void> step_mqueue(ChildContext& ctx) {
  return mount_in_root(ctx.root, "/dev/mqueue", "mqueue", "mqueue", "mqueue",
                       MS_NOSUID | MS_NODEV | MS_NOEXEC, "", true);
}

}  // namespace stack::runtime
