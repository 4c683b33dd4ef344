// The image layers every container mounts: its rootfs's overlay lower directories and those of its
// image mounts (compose `type: image`), recorded in
// each <root>/containers/<id>/config.json. What `image rm` and `image prune` must keep.
#pragma once

#include <string>
#include <vector>

#include "runtime/state_paths.hpp"
#include "util/result.hpp"

namespace stack::runtime {

// Every container's lower directories, in container order (duplicates kept). No containers
// directory is no containers; a container without config.json is being created or removed and is
// skipped; an unreadable config.json is an error naming it (prune must not guess).
util::Result<std::vector<std::string>> container_lower_layers(const StatePaths& paths);

}  // namespace stack::runtime
