// A step cache in a directory of its own, what `--cache-to type=local,dest=DIR` writes and
// `--cache-from type=local,src=DIR` reads (util/build_cache_option.hpp): steps/<key>.json as
// <root>/build-cache holds them, and blobs/sha256/<hex>, the layers they name. A CI job keeps the
// directory between runs; its format is stack's own (BuildKit's keys are not stack's).
#pragma once

#include <optional>
#include <string>

#include "build/step_cache.hpp"
#include "image/blob_store.hpp"

namespace stack::build {

class ExportedCache : public CacheImport {
 public:
  // nullopt when dir does not exist (a first run has no cache: nothing to import).
  static Result<std::optional<ExportedCache>> open_existing(const std::string& dir);
  static Result<ExportedCache> create(const std::string& dir);

  // The step stored under key, its layer copied (verified) into `into`; nullopt when absent.
  Result<std::optional<CachedStep>> import(const std::string& key, const image::BlobStore& into) override;
  // Stores the step under key, and its layer from `from` unless the directory has it.
  Result<void> put(const std::string& key, const CachedStep& step, const image::BlobStore& from) const;
  const std::string& name() const override { return dir_; }

 private:
  ExportedCache(std::string dir, StepCache steps, image::BlobStore blobs)
      : dir_(std::move(dir)), steps_(std::move(steps)), blobs_(std::move(blobs)) {}
  std::string dir_;
  StepCache steps_;
  image::BlobStore blobs_;
};

}  // namespace stack::build
