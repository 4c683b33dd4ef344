#include "build/step_cache.hpp"

#include <nlohmann/json.hpp>

#include "image/fs.hpp"
#include "util/fd.hpp"

namespace stack::build {

Result<StepCache> StepCache::open(std::string dir) {
  STACK_TRY(image::make_dirs(dir, 0700).context("opening the build cache"));
  return StepCache(std::move(dir));
}

nlohmann::json step_record(const CachedStep& step) {
  nlohmann::json j = nlohmann::json::object();
  if (step.layer) {
    j["layer"] = {{"blob", step.layer->blob.str()},
                  {"diff_id", step.layer->diff_id.str()},
                  {"media_type", step.layer->media_type},
                  {"size", step.layer->size}};
  } else {
    j["layer"] = nullptr;
  }
  return j;
}

std::optional<CachedStep> parse_step_record(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  CachedStep step;
  auto layer = j.find("layer");
  if (layer == j.end() || layer->is_null()) return step;
  if (!layer->is_object()) return std::nullopt;
  auto blob = image::Digest::parse(layer->value("blob", ""));
  auto diff = image::Digest::parse(layer->value("diff_id", ""));
  auto size = layer->find("size");
  if (!blob || !diff || (size != layer->end() && !size->is_number_integer())) return std::nullopt;
  step.layer = image::LayerInfo{*blob, *diff, layer->value("media_type", ""), layer->value("size", int64_t{0})};
  return step;
}

std::optional<CachedStep> StepCache::find(const std::string& key, const image::BlobStore& blobs) const {
  auto text = util::read_file(dir_ + "/" + key + ".json", 1 << 20);
  if (!text) return std::nullopt;
  std::optional<CachedStep> step = parse_step_record(nlohmann::json::parse(*text, nullptr, false));
  if (step && step->layer && !blobs.contains(step->layer->blob)) return std::nullopt;
  return step;
}

Result<void> StepCache::put(const std::string& key, const CachedStep& step) const {
  return image::write_file_atomic(dir_ + "/" + key + ".json", step_record(step).dump());
}

}  // namespace stack::build
