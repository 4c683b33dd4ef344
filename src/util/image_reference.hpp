// Image references checked against docker's grammar (distribution/reference) and split into
// their parts, normalised as docker does: no registry is docker.io, a single path component there
// is under library/. Pure, so that the stack file's checks and util/build_cache_option.hpp use it;
// image::Reference (image/reference.hpp) is built on it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::util {

inline constexpr std::string_view kDefaultRegistry = "docker.io";

struct ImageReferenceParts {
  std::string domain;                 // "docker.io", "localhost:5000"
  std::string path;                   // "library/busybox"
  std::optional<std::string> tag;     // as written; none when absent (no default added)
  std::optional<std::string> digest;  // the hex of "@sha256:<hex>"
};

// Errors read "invalid reference 'X': why".
Result<ImageReferenceParts> parse_image_reference(std::string_view text);

}  // namespace stack::util
