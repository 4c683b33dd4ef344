// A RUN step's overlayfs upper directory as an OCI layer: what the step created or changed, with
// overlayfs's deletions translated (a 0:0 character device -> ".wh.NAME", an opaque directory ->
// ".wh..wh..opq"), hard links kept, xattrs kept except overlayfs's own, times clamped.
#pragma once

#include <string>

#include "build/layer_tar.hpp"

namespace stack::build {

// An empty upper directory gives an empty layer: the caller decides whether to keep it.
Result<image::LayerInfo> write_upper_layer(const image::BlobStore& blobs, const std::string& upper_dir,
                                           int64_t epoch, size_t* entries = nullptr);

}  // namespace stack::build
