// What the daemon keeps across its own restarts, in <root>/daemon/: the boot it last brought the
// projects up in (boot_id), and the projects it applied, by key, so that a file removed while no
// daemon ran is still brought down, and a new boot is told from a daemon restart.
#pragma once

#include <map>
#include <string>

#include "util/result.hpp"

namespace stack::daemon {

struct DaemonRecord {
  std::string boot_id;                          // "" before the first complete start
  std::map<std::string, std::string> applied;   // key -> project name
};

std::string daemon_dir(const std::string& root);

// A missing file is an empty record.
util::Result<DaemonRecord> load_record(const std::string& root);
util::Result<void> save_record(const std::string& root, const DaemonRecord& record);

// /proc/sys/kernel/random/boot_id: a new value at every boot.
std::string current_boot_id();

}  // namespace stack::daemon
