// Build cache imports and exports, as `--cache-from` / `--cache-to` and compose's
// `build.cache_from` / `cache_to` spell them (BuildKit's CSV form). stack's step cache has its own
// format, so only `type=local` is read: a directory that a `--cache-to type=local,dest=DIR` of
// stack wrote (build/exported_cache.hpp). Registry, inline, gha, s3 and azblob caches, and a bare
// image reference (BuildKit's shorthand for type=registry), are refused with that reason. Pure:
// the stack file's check and the build command share it.
#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::util {

enum class CacheDirection { from, to };

// "type=local,src=DIR" (from) or "type=local,dest=DIR[,mode=min|max]" (to) -> DIR, as written
// (relative to the caller's directory). One-line errors quote the value.
Result<std::string> parse_cache_option(std::string_view value, CacheDirection direction);

}  // namespace stack::util
