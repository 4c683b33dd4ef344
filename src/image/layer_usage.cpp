#include "image/layer_usage.hpp"

#include <filesystem>

namespace stack::image {

namespace fs = std::filesystem;

std::set<Digest> images_using_layers(const std::vector<Image>& images, const std::string& layers_dir,
                                     const std::vector<std::string>& dirs) {
  const fs::path layers = fs::path(layers_dir).lexically_normal();
  std::set<std::string> used;  // diff id hex
  for (const auto& dir : dirs) {
    fs::path p = fs::path(dir).lexically_normal();
    if (p.filename().empty()) p = p.parent_path();  // "x/" normalises to "x/" with an empty name
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
