#include "cli/image_usage.hpp"

#include <ostream>

#include "runtime/container_layers.hpp"

namespace stack::cli {

std::optional<std::set<image::Digest>> images_in_use_or_report(const std::string& root, image::Store& store,
                                                               std::ostream& err) {
  auto in_use = [&]() -> util::Result<std::set<image::Digest>> {
    STACK_ASSIGN_OR_RETURN(std::vector<std::string> lower, runtime::container_lower_layers(runtime::StatePaths(root)));
    return store.images_using_layers(lower);
  }();
  if (!in_use) {
    err << "stack: " << in_use.error().message() << "\n";
    return std::nullopt;
  }
  return std::move(*in_use);
}

}  // namespace stack::cli
