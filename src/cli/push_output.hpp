// Push output as docker prints it without a terminal: the repository, one line per layer
// ("<id>: Pushed", "<id>: Layer already exists"), then "<tag>: digest: sha256:... size: N".
// Shared by `stack image push` and `stack push`.
#pragma once

#include <iosfwd>
#include <string_view>

#include "image/push.hpp"

namespace stack::cli {

// push_image() with base's options and progress lines on out.
util::Result<image::PushResult> push_with_output(image::Store& store, std::string_view ref,
                                                 const image::PushOptions& base, std::ostream& out);

}  // namespace stack::cli
