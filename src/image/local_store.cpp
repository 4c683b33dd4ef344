#include "image/local_store.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "image/archive_load.hpp"
#include "image/layer_usage.hpp"
#include "image/manifest.hpp"
#include "image/reference.hpp"
#include "util/state_root.hpp"

namespace stack::image {

using util::Errc;
using util::Error;
using util::fail;

namespace {

constexpr size_t kMinIdPrefix = 12;

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(std::string root) {
  STACK_ASSIGN_OR_RETURN(auto store, LocalStore::open(util::StateRoot(root).images()));
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<LocalStore>> LocalStore::open(std::string dir) {
  if (auto made = make_dirs(dir, 0700); !made) return std::move(made).error().context("opening image store");
  STACK_ASSIGN_OR_RETURN(BlobStore blobs, BlobStore::open(dir + "/blobs"));
  STACK_ASSIGN_OR_RETURN(LayerStore layers, LayerStore::open(dir + "/layers"));
  return std::unique_ptr<LocalStore>(new LocalStore(std::move(dir), std::move(blobs), std::move(layers)));
}

Result<Image> LocalStore::read_image(const Digest& manifest, const Repositories& repos) const {
  auto fail_ctx = [&](Error e) { return std::move(e).context("image " + manifest.short_str()); };
  auto text = blobs_.read(manifest);
  if (!text) return fail_ctx(std::move(text).error());
  auto m = parse_manifest(*text);
  if (!m) return fail_ctx(std::move(m).error());
  auto config_text = blobs_.read(m->config.digest);
  if (!config_text) return fail_ctx(std::move(config_text).error());
  auto config = parse_image_config(*config_text);
  if (!config) return fail_ctx(std::move(config).error());
  if (config->diff_ids.size() != m->layers.size()) {
    return fail_ctx(fail(Errc::parse, "config lists " + std::to_string(config->diff_ids.size()) +
                                          " diff ids for " + std::to_string(m->layers.size()) + " layers"));
  }
  Image image;
  image.digest = manifest;
  image.id = m->config.digest;
  image.tags = repos.tags_of(manifest);
  image.size = static_cast<int64_t>(config_text->size());
  for (size_t i = 0; i < m->layers.size(); ++i) {
    const Descriptor& d = m->layers[i];
    image.layers.push_back({d.digest, config->diff_ids[i], d.media_type, d.size});
    image.size += d.size;
  }
  image.config = std::move(*config);
  return image;
}

// A full or >= 12-character prefix of a manifest digest or an image id, as docker accepts ids.
Result<std::optional<Digest>> LocalStore::resolve_id(std::string_view hex, const Repositories& repos) const {
  std::optional<Digest> match;
  for (const auto& image : repos.images()) {
    bool hit = image.hex().starts_with(hex);
    if (!hit) {
      auto m = blobs_.read(image);
      auto parsed = m ? parse_manifest(*m) : Result<Manifest>(m.error());
      hit = parsed && parsed->config.digest.hex().starts_with(hex);
    }
    if (!hit) continue;
    if (match && *match != image) {
      return fail(Errc::conflict, "image id prefix '" + std::string(hex) + "' is ambiguous");
    }
    match = image;
  }
  return match;
}

Result<std::optional<LocalStore::Resolved>> LocalStore::resolve(std::string_view text,
                                                                const Repositories& repos) const {
  std::string_view hex = text;
  if (hex.starts_with("sha256:")) hex.remove_prefix(7);
  bool id_like = hex.size() >= kMinIdPrefix && hex.size() <= 64 && is_hex(hex);
  auto ref = Reference::parse(text);
  if (ref && ref->tag_key() && !ref->digest()) {
    if (auto d = repos.resolve_tag(*ref->tag_key())) {
      return std::optional<Resolved>(Resolved{*d, ref->tag_key()});
    }
  } else if (ref && ref->digest()) {
    if (repos.has_image(*ref->digest())) {
      return std::optional<Resolved>(Resolved{*ref->digest(), std::nullopt});
    }
    return std::optional<Resolved>{};
  }
  if (!id_like) {
    if (!ref) return std::move(ref).error();
    return std::optional<Resolved>{};
  }
  STACK_ASSIGN_OR_RETURN(auto id, resolve_id(hex, repos));
  if (!id) return std::optional<Resolved>{};
  return std::optional<Resolved>(Resolved{*id, std::nullopt});
}

Result<std::optional<Image>> LocalStore::find(std::string_view ref) {
  STACK_ASSIGN_OR_RETURN(Repositories repos, Repositories::load(repositories_path()));
  STACK_ASSIGN_OR_RETURN(auto resolved, resolve(ref, repos));
  if (!resolved) return std::optional<Image>{};
  STACK_ASSIGN_OR_RETURN(Image image, read_image(resolved->image, repos));
  if (resolved->tag_key) image.last_tag_time = repos.tag_time(*resolved->tag_key).value_or(0);
  return std::optional<Image>(std::move(image));
}

Result<std::vector<Image>> LocalStore::list() {
  STACK_ASSIGN_OR_RETURN(Repositories repos, Repositories::load(repositories_path()));
  std::vector<Image> out;
  for (const auto& d : repos.images()) {
    STACK_ASSIGN_OR_RETURN(Image image, read_image(d, repos));
    out.push_back(std::move(image));
  }
  return out;
}

Result<std::set<Digest>> LocalStore::images_using_layers(const std::vector<std::string>& dirs) {
  if (dirs.empty()) return std::set<Digest>{};
  STACK_ASSIGN_OR_RETURN(std::vector<Image> images, list());
  return image::images_using_layers(images, layers_.dir(), dirs);
}

Result<std::vector<std::string>> LocalStore::layer_dirs(const Image& image) {
  STACK_ASSIGN_OR_RETURN(util::FileLock held, lock(util::LockMode::shared));
  std::vector<std::string> dirs;
  for (auto it = image.layers.rbegin(); it != image.layers.rend(); ++it) {
    if (!blobs_.contains(it->blob)) {
      return fail(Errc::not_found, "layer " + it->blob.short_str() + " of image " +
                                       image.digest.short_str() + " is missing from the store");
    }
    STACK_ASSIGN_OR_RETURN(std::string dir, layers_.ensure(blobs_.path(it->blob), it->blob, it->diff_id));
    dirs.push_back(std::move(dir));
  }
  return dirs;
}

Result<ImageRef> LocalStore::add_image_locked(const Digest& manifest, const std::vector<std::string>& tags) {
  STACK_ASSIGN_OR_RETURN(Repositories repos, Repositories::load(repositories_path()));
  STACK_ASSIGN_OR_RETURN(Image image, read_image(manifest, repos));
  for (const auto& layer : image.layers) {
    if (!blobs_.contains(layer.blob)) {
      return fail(Errc::not_found, "layer " + layer.blob.str() + " is missing from the archive");
    }
  }
  bool changed = repos.add_image(manifest);
  std::vector<std::string> named;
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const auto& tag : tags) {
    changed = repos.set_tag(tag, manifest) || changed;
    repos.set_tag_time(tag, now);  // set again, even to the same image: the pull is recent
    changed = true;
    if (std::find(named.begin(), named.end(), tag) == named.end()) named.push_back(tag);
  }
  if (changed) STACK_TRY(repos.save(repositories_path()));
  return ImageRef{manifest, image.id, std::move(named)};
}

Result<ImageRef> LocalStore::add_image(const Digest& manifest, const std::vector<std::string>& tags) {
  STACK_ASSIGN_OR_RETURN(util::FileLock held, lock(util::LockMode::exclusive));
  return add_image_locked(manifest, tags);
}

Result<Image> LocalStore::add_layout_image(const std::string& dir, std::string_view tag,
                                          const std::optional<Digest>& digest) {
  Digest manifest;
  {
    // Exclusive until the image is recorded, as load(): staged blobs are not collectable yet.
    STACK_ASSIGN_OR_RETURN(util::FileLock held, lock(util::LockMode::exclusive));
    auto staged = stage_archive(dir, blobs_);
    if (!staged) return std::move(staged).error().context("OCI image layout '" + dir + "'");
    auto selected = select_oci_layout_image(*staged, blobs_, tag, digest);
    if (!selected) return std::move(selected).error().context("OCI image layout '" + dir + "'");
    manifest = *selected;
    STACK_TRY(add_image_locked(manifest, {}));
  }
  STACK_ASSIGN_OR_RETURN(std::optional<Image> image, find(manifest.str()));
  if (!image) return fail(Errc::internal, "image " + manifest.short_str() + " vanished after it was added");
  return *image;
}

Result<std::vector<ImageRef>> LocalStore::load(const std::string& path) {
  // Exclusive for the whole load: a concurrent prune must not collect blobs staged but not yet named.
  STACK_ASSIGN_OR_RETURN(util::FileLock held, lock(util::LockMode::exclusive));
  STACK_ASSIGN_OR_RETURN(Staged staged, stage_archive(path, blobs_));
  Result<std::vector<FoundImage>> found = staged.has("oci-layout") || staged.has("index.json")
                                              ? resolve_oci_layout(staged, blobs_)
                                              : resolve_docker_archive(staged, blobs_);
  if (!found) return std::move(found).error().context("loading '" + path + "'");
  std::vector<ImageRef> out;
  for (const auto& f : *found) {
    auto added = add_image_locked(f.manifest, f.tags);
    if (!added) return std::move(added).error().context("loading '" + path + "'");
    out.push_back(std::move(*added));
  }
  return out;
}

}  // namespace stack::image
