// OCI whiteouts (image-spec layer.md) and their overlayfs form:
//   dir/.wh.NAME        -> dir/NAME as a character device 0:0 (overlayfs hides NAME of lower layers)
//   dir/.wh..wh..opq    -> xattr trusted.overlay.opaque=y on dir (lower layers' dir contents hidden)
//   other .wh..wh.*     -> aufs bookkeeping (e.g. .wh..wh.plnk), skipped
#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::image {

inline constexpr std::string_view kWhiteoutPrefix = ".wh.";
inline constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
inline constexpr const char* kOpaqueXattr = "trusted.overlay.opaque";

enum class WhiteoutKind { none, whiteout, opaque, meta };

struct WhiteoutName {
  WhiteoutKind kind = WhiteoutKind::none;
  // whiteout: the path hidden ("a/b/NAME"); opaque: the directory ("a/b", "" for the root).
  std::string target;
};

// Classifies a cleaned entry path. ".wh." with no name is an error.
util::Result<WhiteoutName> classify_whiteout(const std::string& clean_path);

// The reverse (for exporting a layer): "a/b" -> "a/.wh.b".
std::string whiteout_path_for(const std::string& clean_path);

// mknod dir_fd/name as char 0:0, replacing what this layer put there before.
util::Result<void> make_whiteout(int dir_fd, const std::string& name);
// Marks an open directory opaque.
util::Result<void> make_opaque(int dir_fd);

}  // namespace stack::image
