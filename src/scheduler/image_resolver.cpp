#include "scheduler/image_resolver.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>

namespace stack::scheduler {

using util::Result;

namespace {

std::string key(const spec::Service& service) { return "services." + service.name + ".image"; }

// pull_policy daily|weekly|every_<d>: the tag was last set longer ago than the window (or at a
// time not recorded), as compose compares docker's LastTagTime.
bool due_for_refresh(const image::Image& found, std::chrono::seconds window) {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  return found.last_tag_time <= 0 || now.count() - found.last_tag_time >= window.count();
}

}  // namespace

image::PullPolicy pull_policy_of(const spec::Service& service) {
  switch (service.pull_policy) {
    case spec::PullPolicy::always:
    case spec::PullPolicy::refresh: return image::PullPolicy::always;  // the resolver narrows refresh
    case spec::PullPolicy::never: return image::PullPolicy::never;
    case spec::PullPolicy::missing:
    case spec::PullPolicy::build: return image::PullPolicy::missing;
  }
  return image::PullPolicy::missing;
}

ImageResolver make_image_resolver(image::Store& store, ProgressSink progress) {
  // One image at a time: layers are unpacked on first use and the store is one directory tree.
  // pull_policy: always pulls once per `up`, not once per replica. An image resolved once is not
  // looked up again by this command (every container of 50 read the index, manifest and config).
  struct Shared {
    std::mutex mu;
    std::set<std::string> pulled;
    std::map<std::string, ResolvedImage> resolved;
  };
  auto shared = std::make_shared<Shared>();
  return [&store, shared, progress](const spec::Service& service) -> Result<ResolvedImage> {
    std::lock_guard lock(shared->mu);
    // With the id of a built image: `stack watch` rebuilds one under the same tag and resolves again.
    const std::string cache_key = service.image_id.empty() ? service.image : service.image + "@" + service.image_id;
    if (auto known = shared->resolved.find(cache_key); known != shared->resolved.end()) return known->second;
    image::PullPolicy policy = pull_policy_of(service);
    if (policy == image::PullPolicy::always && shared->pulled.count(service.image)) policy = image::PullPolicy::missing;
    STACK_ASSIGN_OR_RETURN(std::optional<image::Image> found, store.find(service.image));
    if (service.pull_policy == spec::PullPolicy::refresh && found && !due_for_refresh(*found, service.pull_refresh)) {
      policy = image::PullPolicy::missing;
    }
    if (service.build && !found) {
      return util::fail(util::Errc::not_found, key(service) + ": image '" + service.image +
                                                   "' is not built yet (stack build " + service.name + ")");
    }
    bool pulls = policy == image::PullPolicy::always || (!found && policy == image::PullPolicy::missing);
    if (pulls && progress) progress({"Image", service.image, "Pulling", false, false});
    auto image = image::ensure_image(store, service.image, policy, {});
    if (!image) {
      if (pulls && progress) progress({"Image", service.image, "Error", true, true});
      return std::move(image).error().context(key(service));
    }
    if (pulls) {
      shared->pulled.insert(service.image);
      if (progress) progress({"Image", service.image, "Pulled", true, false});
    }
    ResolvedImage out;
    out.image = std::move(*image);
    STACK_ASSIGN_OR_RETURN(out.layer_dirs, store.layer_dirs(out.image));
    shared->resolved[cache_key] = out;
    return out;
  };
}

}  // namespace stack::scheduler
