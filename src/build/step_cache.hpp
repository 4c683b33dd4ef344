// The step cache: <root>/build-cache/<key>.json holds what a RUN, COPY or ADD step produced (its
// layer's blob and diff id, or that it made no layer). An entry whose blob the store no longer has
// (a prune collected it) is a miss. Entries are small and written atomically.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

#include "image/store.hpp"

namespace stack::build {

using util::Result;

struct CachedStep {
  std::optional<image::LayerInfo> layer;  // nullopt: the step added no layer
};

// A step's record, as the step cache's files and a registry cache's config hold it:
// {"layer": {"blob", "diff_id", "media_type", "size"}} or {"layer": null}. nullopt: not a record.
nlohmann::json step_record(const CachedStep& step);
std::optional<CachedStep> parse_step_record(const nlohmann::json& record);

// An imported cache (a directory: exported_cache.hpp; a registry: registry_cache.hpp) as the
// builder looks steps up in it.
class CacheImport {
 public:
  virtual ~CacheImport() = default;
  // The step stored under key, its layer now in `into` (verified); nullopt when absent.
  virtual Result<std::optional<CachedStep>> import(const std::string& key, const image::BlobStore& into) = 0;
  // For messages: the directory or the reference.
  virtual const std::string& name() const = 0;
};

class StepCache {
 public:
  static Result<StepCache> open(std::string dir);
  std::optional<CachedStep> find(const std::string& key, const image::BlobStore& blobs) const;
  Result<void> put(const std::string& key, const CachedStep& step) const;
  const std::string& dir() const { return dir_; }

 private:
  explicit StepCache(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace stack::build
