// Crash-safe file replacement for every state file of the project (state.json, networks/*.json,
// repositories.json): readers see the old content or the new, never a torn file.
#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::util {

// How much a replacement must survive. Both leave readers and a killed writer with the old file or
// the new, never a torn one (the rename is atomic).
enum class Durability {
  // Also a power loss or kernel crash: fsync of the file before the rename and of the directory
  // after. For what outlives a reboot: images, blobs, the repositories index.
  power_loss,
  // Not flushed: two fsyncs cost a millisecond or more each on a virtual disk, and the state of
  // running things (containers, their etc files, addresses, DNS records, project records) describes
  // processes and namespaces that a reboot ends anyway (as runc keeps its state on /run).
  process_crash,
};

// A temporary beside path (unique per writer, O_EXCL), written, renamed over path; with
// Durability::power_loss flushed as described above. On failure the temporary is removed and path
// is untouched.
Result<void> write_file_atomic(const std::string& path, std::string_view content,
                               Durability durability = Durability::power_loss);

// Makes a rename or a create inside dir durable.
Result<void> fsync_dir(const std::string& dir);

}  // namespace stack::util
