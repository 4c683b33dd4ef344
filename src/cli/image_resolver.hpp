// The engine's image resolver for the CLI: the local store first, then (per pull_policy) the
// registry. Thread-safe: containers of a stack are created in parallel.
#pragma once

#include "image/store.hpp"
#include "scheduler/engine.hpp"

namespace stack::cli {

scheduler::ImageResolver make_image_resolver(image::Store& store);

}  // namespace stack::cli
