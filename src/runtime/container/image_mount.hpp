// compose's `type: image` mount: an image's files, read-only, at a container path; with `subpath`,
// the same directory of every layer, as the image's merged tree has it. Internal to
// src/runtime/container (the mount step) and its tests.
#pragma once

#include <string>
#include <vector>

#include "util/result.hpp"

namespace stack::runtime {

// The directories to stack for subpath ("" = each layer's root) of the layers (top first, each in
// overlayfs form: whiteouts are character devices 0:0, opaque directories carry
// trusted.overlay.opaque=y). A layer without the path adds nothing; a whiteout of it, or an opaque
// directory on the way, hides the layers below, as in the merged image. A symlink on the way is an
// error (it would lead out of the image, to the host), so is a path that is not a directory, and
// a path that no layer has.
util::Result<std::vector<std::string>> image_mount_dirs(const std::vector<std::string>& layers,
                                                        const std::string& subpath);

}  // namespace stack::runtime
