// `stack image inspect`: the fields of `docker image inspect` that the store knows, with the image
// config's run section passed through as stored.
#include <nlohmann/json.hpp>

#include "image/local_store.hpp"
#include "image/reference.hpp"

namespace stack::image {

using nlohmann::json;
using util::Errc;
using util::fail;

namespace {

std::vector<std::string> familiar_tags(const std::vector<std::string>& keys) {
  std::vector<std::string> out;
  for (const auto& key : keys) {
    auto ref = Reference::parse(key);
    out.push_back(ref ? ref->familiar() : key);
  }
  return out;
}

json layers_json(const Image& image, const LayerStore& layers) {
  json out = json::array();
  for (const auto& l : image.layers) {
    out.push_back({{"Digest", l.blob.str()},
                   {"DiffID", l.diff_id.str()},
                   {"MediaType", l.media_type},
                   {"Size", l.size},
                   {"Unpacked", layers.contains(l.diff_id)}});
  }
  return out;
}

}  // namespace

Result<json> LocalStore::inspect(std::string_view ref) {
  STACK_ASSIGN_OR_RETURN(auto image, find(ref));
  if (!image) return fail(Errc::not_found, "no such image '" + std::string(ref) + "'");
  STACK_ASSIGN_OR_RETURN(std::string config_text, blobs_.read(image->id));
  json config;
  try {
    config = json::parse(config_text);
  } catch (const json::exception& e) {
    return fail(Errc::parse, "image config " + image->id.short_str() + ": " + e.what());
  }
  json diff_ids = json::array();
  for (const auto& l : image->layers) diff_ids.push_back(l.diff_id.str());
  json out = {
      {"Id", image->id.str()},
      {"Digest", image->digest.str()},
      {"RepoTags", familiar_tags(image->tags)},
      {"Created", image->config.created},
      {"Architecture", image->config.architecture},
      {"Os", image->config.os},
      {"Size", image->size},
      {"Config", config.contains("config") ? config["config"] : json::object()},
      {"RootFS", {{"Type", "layers"}, {"Layers", diff_ids}}},
      {"Layers", layers_json(*image, layers_)},
  };
  return out;
}

}  // namespace stack::image
