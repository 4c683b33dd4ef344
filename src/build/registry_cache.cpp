#include "build/registry_cache.hpp"

#include <nlohmann/json.hpp>

#include <set>

#include "build/stage_state.hpp"
#include "image/manifest.hpp"
#include "image/reference.hpp"
#include "image/registry/blob_fetch.hpp"

namespace stack::build {

using image::registry::Client;
using util::Errc;
using util::fail;

namespace {

constexpr size_t kMaxConfig = 16u << 20;
constexpr int kLayerRetries = 2;

// A config blob, whole and verified (a cache's: the records of every step; an image's).
Result<std::string> fetch_config(Client& client, image::registry::Http& http, const image::Descriptor& config) {
  std::string body;
  image::registry::BodySink sink = [&](long, std::string_view chunk) -> Result<void> {
    if (body.size() + chunk.size() > kMaxConfig) return fail(Errc::parse, "the config is larger than 16 MiB");
    body.append(chunk);
    return util::ok();
  };
  STACK_ASSIGN_OR_RETURN(image::registry::HttpResponse response, client.blob(http, config.digest, std::nullopt, sink));
  if (response.status != 200) {
    return fail(Errc::conflict, "config " + config.digest.short_str() + ": " + image::registry::status_message(response));
  }
  if (image::Digest::of(body) != config.digest) {
    return fail(Errc::parse, "config " + config.digest.short_str() + " does not match its digest");
  }
  return body;
}

// The records of a manifest's config: all of a cache's, an image's field (inline); none: neither.
Result<std::optional<nlohmann::json>> config_records(Client& client, image::registry::Http& http,
                                                     const image::Manifest& manifest) {
  const std::string& type = manifest.config.media_type;
  const bool cache = type == kCacheConfigMediaType;
  if (!cache && type != image::media::kOciConfig && type != image::media::kDockerConfig) {
    return std::optional<nlohmann::json>();
  }
  STACK_ASSIGN_OR_RETURN(std::string text, fetch_config(client, http, manifest.config));
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (cache) return std::optional<nlohmann::json>(std::move(j));
  auto field = j.is_object() ? j.find(kInlineCacheField) : j.end();
  if (field == j.end()) return std::optional<nlohmann::json>();
  return std::optional<nlohmann::json>(std::move(*field));
}

}  // namespace

nlohmann::json cache_records(const UsedSteps& steps) {
  nlohmann::json records = nlohmann::json::object();
  for (const auto& [key, step] : steps) records[key] = step_record(step);
  return {{"steps", std::move(records)}};
}

Result<std::map<std::string, CachedStep>> parse_cache_records(const nlohmann::json& j) {
  auto steps = j.is_object() ? j.find("steps") : j.end();
  if (steps == j.end() || !steps->is_object()) return fail(Errc::parse, "the cache's records have no steps");
  std::map<std::string, CachedStep> out;
  for (const auto& [key, record] : steps->items()) {
    std::optional<CachedStep> step = parse_step_record(record);
    if (!step) return fail(Errc::parse, "the cache's record of step '" + key + "' is not one");
    out.emplace(key, std::move(*step));
  }
  return out;
}

Result<std::unique_ptr<RegistryCache>> RegistryCache::open(const std::string& text) {
  STACK_ASSIGN_OR_RETURN(image::Reference ref, image::Reference::parse(text));
  image::registry::ClientOptions options{image::registry::insecure_from_env(), std::nullopt, false};
  STACK_ASSIGN_OR_RETURN(Client client, Client::create(ref, options));
  image::registry::Http http;
  std::string tag_or_digest = ref.digest() ? ref.digest()->str() : *ref.tag();
  STACK_ASSIGN_OR_RETURN(image::registry::FetchedManifest fetched, client.manifest(http, tag_or_digest));
  auto kind = image::document_kind(fetched.body);
  std::optional<image::Manifest> manifest;
  if (kind && *kind == image::DocumentKind::manifest) {
    if (auto parsed = image::parse_manifest(fetched.body)) manifest = std::move(*parsed);
  }
  std::optional<nlohmann::json> records;
  if (manifest) {
    STACK_ASSIGN_OR_RETURN(records, config_records(client, http, *manifest));
  }
  if (!records) return fail(Errc::unsupported, "holds no stack build cache");
  STACK_ASSIGN_OR_RETURN(auto steps, parse_cache_records(*records));
  return std::unique_ptr<RegistryCache>(new RegistryCache(text, std::move(client), std::move(steps)));
}

Result<std::optional<CachedStep>> RegistryCache::import(const std::string& key, const image::BlobStore& into) {
  auto it = steps_.find(key);
  if (it == steps_.end()) return std::optional<CachedStep>();
  if (const auto& layer = it->second.layer) {
    STACK_TRY(image::registry::fetch_blob(client_, http_, into, layer_descriptor(*layer), kLayerRetries, {}));
  }
  return std::optional<CachedStep>(it->second);
}

Result<image::PushResult> push_registry_cache(const std::string& text, const UsedSteps& steps,
                                              const image::BlobStore& blobs) {
  STACK_ASSIGN_OR_RETURN(image::Reference ref, image::Reference::parse(text));
  image::Manifest m;
  m.media_type = image::media::kOciManifest;
  std::set<image::Digest> listed;
  for (const auto& [key, step] : steps) {
    if (step.layer && listed.insert(step.layer->blob).second) m.layers.push_back(layer_descriptor(*step.layer));
  }
  std::string config = cache_records(steps).dump();
  STACK_ASSIGN_OR_RETURN(m.config.digest, blobs.write(config));
  m.config.media_type = kCacheConfigMediaType;
  m.config.size = static_cast<int64_t>(config.size());
  return image::push_manifest(blobs, ref, image::manifest_to_json(m), {});
}

}  // namespace stack::build
