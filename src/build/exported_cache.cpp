#include "build/exported_cache.hpp"

#include <sys/stat.h>

#include <cerrno>

namespace stack::build {

using util::Error;

namespace {

// A blob from one store into another, verified against its digest on the way.
Result<void> copy_blob(const image::BlobStore& from, const image::BlobStore& to, const image::LayerInfo& layer) {
  if (to.contains(layer.blob)) return util::ok();
  STACK_TRY(to.write_file(from.path(layer.blob), layer.blob).context("layer " + layer.blob.short_str()));
  return util::ok();
}

}  // namespace

Result<std::optional<ExportedCache>> ExportedCache::open_existing(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<ExportedCache>();
    return Error::from_errno("cache '" + dir + "'");
  }
  if (!S_ISDIR(st.st_mode)) return util::fail(util::Errc::invalid_argument, "cache '" + dir + "' is not a directory");
  STACK_ASSIGN_OR_RETURN(ExportedCache c, create(dir));
  return std::optional<ExportedCache>(std::move(c));
}

Result<ExportedCache> ExportedCache::create(const std::string& dir) {
  auto steps = StepCache::open(dir + "/steps");
  if (!steps) return std::move(steps).error().context("cache '" + dir + "'");
  auto blobs = image::BlobStore::open(dir + "/blobs");
  if (!blobs) return std::move(blobs).error().context("cache '" + dir + "'");
  return ExportedCache(dir, std::move(*steps), std::move(*blobs));
}

Result<std::optional<CachedStep>> ExportedCache::import(const std::string& key, const image::BlobStore& into) {
  std::optional<CachedStep> step = steps_.find(key, blobs_);
  if (step && step->layer) STACK_TRY(copy_blob(blobs_, into, *step->layer));
  return step;
}

Result<void> ExportedCache::put(const std::string& key, const CachedStep& step, const image::BlobStore& from) const {
  if (step.layer) STACK_TRY(copy_blob(from, blobs_, *step.layer));
  return steps_.put(key, step);
}

}  // namespace stack::build
