#include "cli/push_output.hpp"

#include <ostream>

#include "image/reference.hpp"

namespace stack::cli {

util::Result<image::PushResult> push_with_output(image::Store& store, std::string_view ref,
                                                 const image::PushOptions& base, std::ostream& out) {
  image::PushOptions options = base;
  auto parsed = image::Reference::parse(ref);
  if (parsed) out << "The push refers to repository [" << parsed->name() << "]\n" << std::flush;
  options.progress = [&out](const image::PushEvent& e) {
    if (e.is_config) return;  // docker lists layers only
    const char* what = e.kind == image::PushEvent::Kind::pushing ? "Pushing"
                       : e.kind == image::PushEvent::Kind::pushed ? "Pushed"
                                                                  : "Layer already exists";
    out << e.blob.hex().substr(0, 12) << ": " << what << "\n" << std::flush;
  };
  auto pushed = image::push_image(store, ref, options);
  if (pushed) out << pushed->tag << ": digest: " << pushed->digest.str() << " size: " << pushed->size << "\n";
  return pushed;
}

}  // namespace stack::cli
