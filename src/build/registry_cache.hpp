// A step cache in a registry under a tag: what `--cache-to type=registry,ref=IMAGE` pushes and
// `--cache-from type=registry,ref=IMAGE` (or a bare IMAGE) reads. One OCI image manifest: its
// config, of stack's own media type, holds the step records by key as the step cache keeps them
// (step_cache.hpp); its layers are the layers those steps made. An image built with
// `--cache-to type=inline` and pushed is read the same way: the same records in a field of its
// config, its own layers. A build reads the manifest and the config when it starts, and a layer
// only when its step is looked up. stack's own format: BuildKit's caches cannot be read (its keys
// are not stack's), nor can stack's be by BuildKit. Credentials are a pull's
// (image/registry/credentials.hpp).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "build/step_cache.hpp"
#include "image/push.hpp"
#include "image/registry/client.hpp"

namespace stack::build {

inline constexpr std::string_view kCacheConfigMediaType = "application/vnd.stack.build.cache.v1+json";

using UsedSteps = std::vector<std::pair<std::string, CachedStep>>;

// {"steps": {KEY: record}}: a registry cache's config, an inline cache's field. Pure.
nlohmann::json cache_records(const UsedSteps& steps);
Result<std::map<std::string, CachedStep>> parse_cache_records(const nlohmann::json& records);

class RegistryCache : public CacheImport {
 public:
  // The cache under ref. Errc::not_found: the registry has no such tag (a first run);
  // Errc::unsupported: the tag holds something else, such as an ordinary image.
  static Result<std::unique_ptr<RegistryCache>> open(const std::string& ref);

  // The layer of a step found is downloaded (verified against its digest) into `into`.
  Result<std::optional<CachedStep>> import(const std::string& key, const image::BlobStore& into) override;
  const std::string& name() const override { return ref_; }

 private:
  RegistryCache(std::string ref, image::registry::Client client, std::map<std::string, CachedStep> steps)
      : ref_(std::move(ref)), client_(std::move(client)), steps_(std::move(steps)) {}
  std::string ref_;
  image::registry::Client client_;
  image::registry::Http http_;
  std::map<std::string, CachedStep> steps_;
};

// Pushes steps (by key; their layers in blobs) under ref's tag as one manifest, its config written
// into blobs first. Blobs the registry has already are not sent again.
Result<image::PushResult> push_registry_cache(const std::string& ref, const UsedSteps& steps,
                                              const image::BlobStore& blobs);

}  // namespace stack::build
