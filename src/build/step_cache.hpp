// The step cache: <root>/build-cache/<key>.json holds what a RUN, COPY or ADD step produced (its
// layer's blob and diff id, or that it made no layer). An entry whose blob the store no longer has
// (a prune collected it) is a miss. Entries are small and written atomically.
#pragma once

#include <optional>
#include <string>

#include "image/store.hpp"

namespace stack::build {

using util::Result;

struct CachedStep {
  std::optional<image::LayerInfo> layer;  // nullopt: the step added no layer
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
