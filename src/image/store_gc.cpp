// Removing images and collecting what no image needs any more. Mark and sweep under the exclusive
// store lock: reachable = manifests of held images, their configs and layer blobs, and the unpacked
// layers of their diff ids; everything else in blobs/ and layers/ goes (resumable partial downloads
// stay).
#include <set>

#include "image/local_store.hpp"
#include "image/manifest.hpp"

namespace stack::image {

using util::Errc;
using util::fail;

namespace {

struct Reachable {
  std::set<Digest> blobs;
  std::set<Digest> layers;
};

// An unreadable manifest or config marks what it can: a broken image must not block collection.
void mark(const BlobStore& blobs, const Digest& manifest, Reachable& r) {
  r.blobs.insert(manifest);
  auto text = blobs.read(manifest);
  auto m = text ? parse_manifest(*text) : Result<Manifest>(text.error());
  if (!m) return;
  r.blobs.insert(m->config.digest);
  for (const auto& l : m->layers) r.blobs.insert(l.digest);
  auto config_text = blobs.read(m->config.digest);
  auto config = config_text ? parse_image_config(*config_text) : Result<ImageConfig>(config_text.error());
  if (!config) return;
  r.layers.insert(config->diff_ids.begin(), config->diff_ids.end());
}

std::optional<Digest> config_of(const BlobStore& blobs, const Digest& manifest) {
  auto text = blobs.read(manifest);
  auto m = text ? parse_manifest(*text) : Result<Manifest>(text.error());
  if (!m) return std::nullopt;
  return m->config.digest;
}

}  // namespace

Result<PruneReport> LocalStore::collect_garbage(const Repositories& repos) const {
  Reachable r;
  for (const auto& image : repos.images()) mark(blobs_, image, r);
  PruneReport report;
  STACK_ASSIGN_OR_RETURN(auto blobs, blobs_.list());
  for (const auto& d : blobs) {
    if (r.blobs.count(d)) continue;
    auto size = blobs_.size(d);
    STACK_ASSIGN_OR_RETURN(bool removed, blobs_.remove(d));
    if (!removed) continue;
    ++report.blobs;
    report.bytes += size.value_or(0);
  }
  STACK_ASSIGN_OR_RETURN(auto layers, layers_.list());
  for (const auto& d : layers) {
    if (r.layers.count(d)) continue;
    STACK_ASSIGN_OR_RETURN(bool removed, layers_.remove(d));
    if (removed) ++report.layers;
  }
  // Safe under the exclusive lock: every writer of temporaries holds the lock too.
  blobs_.remove_temporaries();
  layers_.remove_temporaries();
  return report;
}

Result<RemoveReport> LocalStore::remove(std::string_view ref) {
  STACK_ASSIGN_OR_RETURN(util::FileLock held, lock(util::LockMode::exclusive));
  STACK_ASSIGN_OR_RETURN(Repositories repos, Repositories::load(repositories_path()));
  STACK_ASSIGN_OR_RETURN(auto resolved, resolve(ref, repos));
  if (!resolved) return fail(Errc::not_found, "no such image '" + std::string(ref) + "'");
  RemoveReport report;
  if (resolved->tag_key) {
    repos.remove_tag(*resolved->tag_key);
    report.untagged.push_back(*resolved->tag_key);
  } else {
    report.untagged = repos.tags_of(resolved->image);
  }
  if (!resolved->tag_key || repos.tags_of(resolved->image).empty()) {
    repos.remove_image(resolved->image);
    report.deleted = resolved->image;
  }
  STACK_TRY(repos.save(repositories_path()));
  if (report.deleted) STACK_TRY(collect_garbage(repos));
  return report;
}

Result<PruneReport> LocalStore::prune(const std::set<Digest>& in_use, PruneOptions options) {
  STACK_ASSIGN_OR_RETURN(util::FileLock held, lock(util::LockMode::exclusive));
  STACK_ASSIGN_OR_RETURN(Repositories repos, Repositories::load(repositories_path()));
  std::vector<Digest> doomed;
  for (const auto& image : repos.images()) {
    if (in_use.count(image)) continue;
    auto id = config_of(blobs_, image);
    if (id && in_use.count(*id)) continue;
    if (!options.all && !repos.tags_of(image).empty()) continue;
    doomed.push_back(image);
  }
  for (const auto& image : doomed) repos.remove_image(image);
  if (!doomed.empty()) STACK_TRY(repos.save(repositories_path()));
  STACK_ASSIGN_OR_RETURN(PruneReport report, collect_garbage(repos));
  report.images = std::move(doomed);
  return report;
}

}  // namespace stack::image
