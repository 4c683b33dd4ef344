// The init layer: one read-only lower layer laid over the image of every container that gets the
// etc files bind-mounted (/etc/hosts, /etc/hostname, /etc/resolv.conf). It holds their mount
// points and those of /proc, /sys and /dev. Without it each container creates what its image
// lacks in its own writable layer, after overlayfs has copied /etc (or /) up: four new inodes and
// a copy-up per container. Docker keeps such a layer per container ("<id>-init"); its content
// never differs, so stack keeps one for the whole store.
#pragma once

#include <string>

#include "util/result.hpp"

namespace stack::image {

// <images_dir>/init-layer, made on first use (safe against concurrent makers); the path.
util::Result<std::string> ensure_init_layer(const std::string& images_dir);

}  // namespace stack::image
