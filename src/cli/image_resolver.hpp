// The engine's image resolver for the CLI: the local store, then the registry as the service's
// pull_policy says (always, missing, never); the image of a service with build is never pulled
// (service_builds.hpp builds it before `up`). Thread-safe: containers are created in parallel.
#pragma once

#include "image/pull.hpp"
#include "image/store.hpp"
#include "scheduler/engine.hpp"

namespace stack::cli {

image::PullPolicy pull_policy_of(const spec::Service& service);

scheduler::ImageResolver make_image_resolver(image::Store& store, scheduler::ProgressSink progress);

}  // namespace stack::cli
