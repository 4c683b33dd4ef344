// The steps that V1Manager and V2Manager share once they know where the cgroup's directories are:
// writing a settings table, listing and signalling processes, removing the directories. Kept apart
// from the managers so that the version difference stays in where the directories are, not in how
// files are written (crun threads a `bool cgroup2` through every writer; this does not).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "runtime/cgroup/settings.hpp"
#include "util/result.hpp"

namespace stack::runtime::cgroup::detail {

// The cgroup's directory for a controller, or "" when that controller has no hierarchy here.
using DirOf = std::function<std::string(const std::string& controller)>;

// Writes every setting in order. A missing file is an error naming the controller (Need::required)
// or a note (Need::if_present); the notes are returned. Errors read "write <file>: <cause>".
util::Result<std::vector<std::string>> apply_settings(const std::vector<Setting>& settings, const DirOf& dir_of);

// The union of cgroup.procs over dirs, sorted.
util::Result<std::vector<pid_t>> procs_union(const std::vector<std::string>& dirs);

inline constexpr std::chrono::milliseconds kKillTimeout{5000};

// Signals every pid listed in dirs. With repeat, lists and signals again until no pid is left,
// then returns; after kKillTimeout, a timeout error. Returns the number of distinct pids signalled.
util::Result<std::size_t> signal_all(const std::vector<std::string>& dirs, int signal, bool repeat);
// Waits (bounded) until no pid is listed in dirs.
util::Result<void> wait_empty(const std::vector<std::string>& dirs);

// rmdir root/rel in every root, then each parent of rel that is empty, stopping below the top
// component ("stack" stays: other projects may be using it this very moment). True if a leaf
// existed. A parent that is busy or not empty is left, which is the expected case.
util::Result<bool> remove_tree(const std::vector<std::string>& roots, const std::string& rel);

// "memory.memsw.limit_in_bytes" -> why such a file is usually absent, for the error message.
std::string absent_hint(const std::string& file);

}  // namespace stack::runtime::cgroup::detail
