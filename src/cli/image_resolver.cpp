#include "cli/image_resolver.hpp"

#include <memory>
#include <mutex>

namespace stack::cli {

using util::Errc;
using util::Error;
using util::Result;

scheduler::ImageResolver make_image_resolver(image::Store& store) {
  // One image at a time: layers are unpacked on first use and the store is one directory tree.
  auto mu = std::make_shared<std::mutex>();
  return [&store, mu](const spec::Service& service) -> Result<scheduler::ResolvedImage> {
    std::lock_guard lock(*mu);
    STACK_ASSIGN_OR_RETURN(std::optional<image::Image> found, store.find(service.image));
    if (service.pull_policy == spec::PullPolicy::always || !found) {
      if (service.pull_policy == spec::PullPolicy::never) {
        return Error(Errc::not_found, "image " + service.image + " not found (pull_policy: never)");
      }
      return Error(Errc::not_found, "image " + service.image +
                   " not found locally and pulling is not available: load it with `stack image load -i FILE`");
    }
    scheduler::ResolvedImage out;
    out.image = std::move(*found);
    STACK_ASSIGN_OR_RETURN(out.layer_dirs, store.layer_dirs(out.image));
    return out;
  };
}

}  // namespace stack::cli
