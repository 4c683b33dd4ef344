#include "image/layer_usage.hpp"

#include <filesystem>

namespace stack::image {

namespace fs = std::filesystem;

std::set<Digest> images_using_layers(const std::vector<Image>& images, const std::string& layers_dir,
                                     const std::vector<std::string>& dirs) {
  // "x/" normalises to "x/", whose name is empty: compare without the trailing separator.
  auto normal = [](const std::string& path) {
    fs::path p = fs::path(path).lexically_normal();
    return p.filename().empty() ? p.parent_path() : p;
  };
  const fs::path layers = normal(layers_dir);
  std::set<std::string> used;  // diff id hex
  for (const auto& dir : dirs) {
    fs::path p = normal(dir);
    if (p.parent_path() == layers) used.insert(p.filename().string());
  }
  std::set<Digest> out;
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

}  // namespace stack::image
