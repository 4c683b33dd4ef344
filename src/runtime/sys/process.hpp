// Thin wrappers for process and namespace system calls: clone3 with fork semantics, setns, prctl,
// the UTS names. EINTR-safe where the call can be interrupted.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/sys/mount.hpp"

namespace stack::runtime::sys {

// clone3(2) without a new stack: like fork(), returns 0 in the child and the pid in the parent.
// flags are CLONE_* (namespaces, CLONE_PARENT); the exit signal is SIGCHLD unless CLONE_PARENT.
// Falls back to clone(2) where clone3 is missing. Glibc's atfork handlers do not run, so the caller
// must not have other threads holding locks that the child needs (malloc's included).
// into_cgroup >= 0: the child starts in that cgroup v2 directory (CLONE_INTO_CGROUP, Linux 5.7);
// a kernel without it fails (ENOSYS or E2BIG), and the caller clones again without.
Result<pid_t> clone(std::uint64_t flags, int into_cgroup = -1);

// Joins the namespace behind fd (nstype: CLONE_NEWNET, ... or 0 for any).
Result<void> setns(int fd, int nstype);

Result<void> set_no_new_privs();
Result<void> set_keep_caps(bool keep);
Result<void> set_parent_death_signal(int sig);

Result<void> set_hostname(const std::string& name);
Result<void> set_domainname(const std::string& name);

Result<void> chdir(const std::string& path);

// Marks every descriptor from `from` up as close-on-exec (close_range(2) with CLOSE_RANGE_CLOEXEC).
Result<void> cloexec_from(int from);
// Closes every descriptor from `from` up (close_range(2)).
Result<void> close_from(int from);

}  // namespace stack::runtime::sys
