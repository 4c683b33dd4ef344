// Thin, stateless, EINTR-safe file operations on a cgroup filesystem (or on a temporary directory
// laid out like one, in tests). No policy here: callers add the cgroup name as context.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace stack::runtime::cgroup::fs {

// The whole file. A missing file is Errc::not_found ("read 'memory.max': No such file or directory").
util::Result<std::string> read_file(const std::string& path);
// One open + write of value, never creating the file: the kernel makes cgroup files, and an absent
// one means the controller is not there. Errors read "write <file name>: <strerror>".
util::Result<void> write_file(const std::string& path, std::string_view value);
bool exists(const std::string& path);

// "123\n" -> 123; nullopt on anything else (including "max").
std::optional<uint64_t> parse_u64(std::string_view text);
// The value of `key` in a flat keyed file ("oom_kill 3\n", "usage_usec 1500\n").
std::optional<uint64_t> parse_keyed(std::string_view text, std::string_view key);
// A single number from a file; Errc::parse if the content is not one.
util::Result<uint64_t> read_u64(const std::string& path);

// The pids in dir/cgroup.procs; empty when the directory is gone (a concurrent destroy).
util::Result<std::vector<pid_t>> read_procs(const std::string& dir);

// mkdir -p root/rel. Returns the directories it made, outermost first, so that a failed create can
// remove exactly those. EEXIST is success; ENOENT (a parent removed meanwhile by another destroy)
// is retried a few times.
util::Result<std::vector<std::string>> mkdir_p(const std::string& root, std::string_view rel);
// rmdir: true if removed, false if it did not exist. EBUSY/ENOTEMPTY are errors for the caller.
util::Result<bool> remove_dir(const std::string& path);
// Best-effort rollback of mkdir_p: removes dirs innermost first, ignoring errors.
void remove_dirs(const std::vector<std::string>& dirs);
// Names of the subdirectories of path; empty if path does not exist.
util::Result<std::vector<std::string>> list_subdirs(const std::string& path);

// Final path component, for messages: "/a/b/memory.max" -> "memory.max".
std::string_view base_name(std::string_view path);

}  // namespace stack::runtime::cgroup::fs
