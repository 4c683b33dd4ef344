// The layer of a COPY or ADD, written directly (no container): the selected files under their
// destinations, their parent directories as the stage already has them (or new, 0755, owned by the
// --chown user), tar archives of ADD unpacked below their destination. Owners are 0:0 unless
// --chown; modes are the source's unless --chmod.
#pragma once

#include <sys/types.h>

#include <optional>
#include <utility>

#include "build/copy_sources.hpp"
#include "build/layer_tar.hpp"

namespace stack::build {

struct CopyOptions {
  std::optional<std::pair<uid_t, gid_t>> chown;
  std::optional<mode_t> chmod;  // permission bits only
  int64_t epoch = 0;            // SOURCE_DATE_EPOCH: later times are clamped to it
  std::optional<image::Digest> repeats;  // a remembered layer this one repeats (BlobWriteOptions::repeats)
};

Result<image::LayerInfo> write_copy_layer(const image::BlobStore& blobs, const CopySelection& selection,
                                          const RootfsView& dest_view, const CopyOptions& options);

// "0755" / "755" -> 0755; an error for anything else.
Result<mode_t> parse_chmod(const std::string& text);

}  // namespace stack::build
