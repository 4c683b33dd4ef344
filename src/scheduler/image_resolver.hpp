// The engine's image resolver: the local store, then the registry as the service's pull_policy says
// (always, missing, never); the image of a service with build is never pulled (cli/service_builds
// builds it before `up`). One resolver per command: an image is looked up, and pulled, once however
// many replicas use it. Thread-safe: containers are created in parallel. Errors name the key,
// "services.web.image: pull docker.io/library/x:1: ...".
#pragma once

#include "image/pull.hpp"
#include "image/store.hpp"
#include "scheduler/engine.hpp"

namespace stack::scheduler {

image::PullPolicy pull_policy_of(const spec::Service& service);

ImageResolver make_image_resolver(image::Store& store, ProgressSink progress);

}  // namespace stack::scheduler
