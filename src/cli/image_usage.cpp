#include "cli/image_usage.hpp"

#include <filesystem>
#include <ostream>

#include "image/fs.hpp"
#include "util/fd.hpp"
#include "runtime/shim/shim_config.hpp"
#include "runtime/state_paths.hpp"

namespace stack::cli {

namespace fs = std::filesystem;

std::set<image::Digest> images_using_layers(const std::vector<image::Image>& images, const std::string& layers_dir,
                                           const std::vector<std::string>& lower_dirs) {
  std::set<std::string> used;
  for (const auto& dir : lower_dirs) {
    fs::path p = fs::path(dir).lexically_normal();
    if (p.filename().empty()) p = p.parent_path();
    if (p.parent_path() == fs::path(layers_dir).lexically_normal()) used.insert(p.filename().string());
  }
  std::set<image::Digest> out;
  for (const auto& image : images) {
    for (const auto& layer : image.layers) {
      if (used.count(layer.diff_id.hex()) > 0) {
        out.insert(image.digest);
        break;
      }
    }
  }
  return out;
}

util::Result<std::vector<std::string>> container_lower_layers(const std::string& root) {
  runtime::StatePaths paths(root);
  std::vector<std::string> out;
  std::error_code ec;
  fs::directory_iterator it(paths.containers_dir(), ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return out;
    return util::fail(util::Errc::io, "list '" + paths.containers_dir() + "': " + ec.message());
  }
  for (const auto& entry : it) {
    std::string config = entry.path().string() + "/config.json";
    if (!image::path_exists(config)) continue;  // a container being created or removed
    STACK_ASSIGN_OR_RETURN(std::string text, util::read_file(config, image::kMaxMetadataFile));
    auto decoded = runtime::shim::decode_shim_config(text);
    if (!decoded) return std::move(decoded).error().context("'" + config + "'");
    const auto& lower = decoded->container.rootfs.lower_layers;
    out.insert(out.end(), lower.begin(), lower.end());
  }
  return out;
}

util::Result<std::set<image::Digest>> images_in_use(const std::string& root, image::Store& store) {
  STACK_ASSIGN_OR_RETURN(std::vector<std::string> lower, container_lower_layers(root));
  if (lower.empty()) return std::set<image::Digest>{};
  STACK_ASSIGN_OR_RETURN(std::vector<image::Image> images, store.list());
  return images_using_layers(images, root + "/images/layers", lower);
}

std::optional<std::set<image::Digest>> images_in_use_or_report(const std::string& root, image::Store& store,
                                                               std::ostream& err) {
  auto in_use = images_in_use(root, store);
  if (!in_use) {
    err << "stack: " << in_use.error().message() << "\n";
    return std::nullopt;
  }
  return std::move(*in_use);
}

}  // namespace stack::cli
