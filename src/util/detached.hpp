// Starting a long-lived helper process (a shim, a network's DNS server) that belongs to nobody:
// the caller's child starts a new session, starts the helper (stdio on /dev/null, every descriptor
// closed but one pipe end that becomes fd 3) and exits, so the helper is reparented and no caller
// reaps or waits on it by accident.
//
// Both children are made with vfork semantics (CLONE_VM | CLONE_VFORK): nothing's page tables are
// copied. A fork of `stack` itself (a large process with a thread per service during `up`) copied
// them and took a copy-on-write fault and a TLB shootdown on every page its threads touched; the
// helper's own fork, which replaced it, still cost each container about a millisecond of CPU on
// this kind of virtual machine (docs/performance.md).
// Starting a long-lived helper process (a shim, a network's DNS server) that belongs to nobody.
// The caller posix_spawn()s the helper in a new session, with stdio on /dev/null and every
// descriptor closed but one pipe end that becomes fd 3; the helper then calls finish_detach(),
// which forks once more and lets the spawned process exit, so the helper is reparented and no
// caller reaps or waits on it by accident.
//
// Why the helper forks and not the caller: posix_spawn uses vfork semantics, so the caller's page
// tables are not copied. A fork of `stack` itself (a large process with a thread per service during
// `up`) copied them and then took a copy-on-write fault and a TLB shootdown on every page its
// threads touched: about a quarter of the CPU time of `up` (docs/performance.md).
#pragma once

#include <string>
#include <vector>

#include "util/result.hpp"

namespace stack::util {

// The helper's own small executable: `name` in the directory of stack_binary (symlinks and
// /proc/self/exe resolved) if it is executable there, else stack_binary itself, whose hidden verb
// does the same. E.g. ("/usr/bin/stack", "stack-shim") -> "/usr/bin/stack-shim".
std::string helper_binary(const std::string& stack_binary, const std::string& name);

// Spawns argv (argv[0] is the binary) as above, with keep_fd as its fd 3 (-1: none), and returns
// once it runs (or its exec failed: that error). Safe in a caller with threads.
Result<void> spawn_detached(const std::vector<std::string>& argv, int keep_fd);

}  // namespace stack::util
