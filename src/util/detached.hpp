// Starting a long-lived helper process (a shim, a network's DNS server) that belongs to nobody:
// fork, setsid, fork again (the helper is reparented, so no caller reaps or waits on it by
// accident), stdio on /dev/null, every descriptor closed but one pipe end that becomes fd 3.
#pragma once

#include <string>
#include <vector>

#include "util/result.hpp"

namespace stack::util {

// Execs argv (argv[0] is the binary) detached, with keep_fd as its fd 3 (-1: none). Returns once
// the intermediate child has exited; only async-signal-safe calls run between fork and exec, so a
// caller with threads is fine.
Result<void> spawn_detached(const std::vector<std::string>& argv, int keep_fd);

}  // namespace stack::util
