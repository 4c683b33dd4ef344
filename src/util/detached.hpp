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

// Spawns argv (argv[0] is the binary) as above, with keep_fd as its fd 3 (-1: none), and waits for
// the spawned process to exit: argv must make the helper call finish_detach() first (the shim and
// the DNS server take --detach). Safe in a caller with threads.
Result<void> spawn_detached(const std::vector<std::string>& argv, int keep_fd);

// In the spawned helper: forks; the parent exits 0 at once and the child returns and goes on.
Result<void> finish_detach();

}  // namespace stack::util
