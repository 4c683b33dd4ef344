// The images that containers use, for `image rm` and `image prune`: the runtime says which layer
// directories containers mount (runtime/container_layers.hpp), the store which images own them.
#pragma once

#include <iosfwd>
#include <optional>
#include <set>
#include <string>

#include "image/store.hpp"

namespace stack::cli {

// On failure prints "stack: <error>" on err and returns nullopt: prune must not guess.
std::optional<std::set<image::Digest>> images_in_use_or_report(const std::string& root, image::Store& store,
                                                               std::ostream& err);

}  // namespace stack::cli
