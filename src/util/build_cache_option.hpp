// Build cache imports and exports, as `--cache-from` / `--cache-to` and compose's
// `build.cache_from` / `cache_to` spell them (BuildKit's CSV form). stack's step cache has its own
// format (BuildKit's keys are not stack's), kept in a directory (type=local: build/exported_cache.hpp)
// or in a registry under a tag (type=registry: build/registry_cache.hpp), or inline in the built
// image's config (type=inline, an export only: the image is imported as a registry cache). A bare
// image reference is BuildKit's shorthand for type=registry,ref=IMAGE. gha, s3 and azblob caches
// are refused with that reason. Pure: the stack file's check and the build command share it.
#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::util {

enum class CacheDirection { from, to };
enum class CacheType { local, registry, in_image };

struct CacheOption {
  CacheType type = CacheType::local;
  // local: the directory as written (relative to the caller's directory); registry: the image
  // reference as written, checked against docker's grammar (util/image_reference.hpp); in_image: "".
  std::string location;
  bool operator==(const CacheOption&) const = default;
};

// "type=local,src=DIR" (from), "type=local,dest=DIR[,mode=min|max]" (to),
// "type=registry,ref=IMAGE[,mode=min|max]" (mode only to), "type=inline" (to), or a bare IMAGE.
// One-line errors quote the value. A registry cache to export names a tag, not a digest.
Result<CacheOption> parse_cache_option(std::string_view value, CacheDirection direction);

// The CSV form that parses back to option: "type=local,src=DIR", "type=registry,ref=IMAGE",
// "type=inline".
std::string cache_option_text(const CacheOption& option, CacheDirection direction);

}  // namespace stack::util
