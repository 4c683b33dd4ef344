#include "runtime/sys/process.hpp"

#include <linux/close_range.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace stack::runtime::sys {

using util::Error;

Result<pid_t> clone(std::uint64_t flags, int into_cgroup) {
  clone_args args{};
  args.flags = flags;
  // With CLONE_PARENT the kernel takes the exit signal from the caller; it must be 0 here.
  args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
  if (into_cgroup >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<std::uint64_t>(into_cgroup);
  }
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0 && errno == ENOSYS && into_cgroup < 0) {
    // clone(2) with a null stack also behaves like fork on x86-64 (flags first).
    pid = ::syscall(SYS_clone, static_cast<unsigned long>(flags) | args.exit_signal, nullptr,
                    nullptr, nullptr, 0);
  }
  if (pid < 0) return Error::from_errno("clone");
  return static_cast<pid_t>(pid);
}

Result<void> setns(int fd, int nstype) {
  if (::setns(fd, nstype) < 0) return Error::from_errno("setns");
  return util::ok();
}

Result<void> set_no_new_privs() {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return Error::from_errno("prctl no_new_privs");
  return util::ok();
}

Result<void> set_keep_caps(bool keep) {
  if (::prctl(PR_SET_KEEPCAPS, keep ? 1 : 0, 0, 0, 0) < 0) return Error::from_errno("prctl keepcaps");
  return util::ok();
}

Result<void> set_parent_death_signal(int sig) {
  if (::prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) < 0) return Error::from_errno("prctl pdeathsig");
  return util::ok();
}

Result<void> set_hostname(const std::string& name) {
  if (::sethostname(name.data(), name.size()) < 0) {
    return Error::from_errno("sethostname '" + name + "'");
  }
  return util::ok();
}

Result<void> set_domainname(const std::string& name) {
  if (::setdomainname(name.data(), name.size()) < 0) {
    return Error::from_errno("setdomainname '" + name + "'");
  }
  return util::ok();
}

Result<void> chdir(const std::string& path) {
  if (::chdir(path.c_str()) < 0) return Error::from_errno("chdir '" + path + "'");
  return util::ok();
}

Result<void> cloexec_from(int from) {
  if (::syscall(SYS_close_range, from, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
    return Error::from_errno("close_range");
  }
  return util::ok();
}

Result<void> close_from(int from) {
  if (::syscall(SYS_close_range, from, ~0U, 0) < 0) return Error::from_errno("close_range");
  return util::ok();
}

}  // namespace stack::runtime::sys
