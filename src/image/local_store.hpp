// The local image store under <root>/images: blobs/ (BlobStore), layers/ (LayerStore) and
// repositories.json, guarded by an flock on images/lock: mutations (load, import, remove, prune)
// hold it exclusively, readers that unpack layers hold it shared, so garbage collection never
// removes what another process is about to use.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "image/blob_store.hpp"
#include "image/layer_unpack.hpp"
#include "image/repositories.hpp"
#include "image/store.hpp"
#include "util/file_lock.hpp"

namespace stack::image {

class LocalStore final : public Store {
 public:
  // dir is <root>/images.
  static Result<std::unique_ptr<LocalStore>> open(std::string dir);

  Result<std::vector<ImageRef>> load(const std::string& path) override;
  Result<Image> add_layout_image(const std::string& dir, std::string_view tag,
                                 const std::optional<Digest>& digest) override;
  Result<ImageRef> import_rootfs(const std::string& tar_path, std::string_view ref) override;
  Result<std::optional<Image>> find(std::string_view ref) override;
  Result<std::vector<std::string>> layer_dirs(const Image& image) override;
  Result<std::vector<Image>> list() override;
  Result<std::set<Digest>> images_using_layers(const std::vector<std::string>& dirs) override;
  Result<RemoveReport> remove(std::string_view ref) override;
  Result<PruneReport> prune(const std::set<Digest>& in_use, PruneOptions options) override;
  Result<nlohmann::json> inspect(std::string_view ref) override;
  Result<std::unique_ptr<Ingest>> begin_ingest() override;

  // Records an image whose blobs are all stored (load, import and, later, pull) and tags it. The
  // ImageRef holds the tags given here only, not the other names the manifest already had: an
  // archive's load reports its own names, as docker load does.
  Result<ImageRef> add_image(const Digest& manifest, const std::vector<std::string>& tags);
  const BlobStore& blobs() const { return blobs_; }
  const LayerStore& layers() const { return layers_; }
  std::string repositories_path() const { return dir_ + "/repositories.json"; }

 private:
  friend class LocalIngest;
  struct Resolved {
    Digest image;
    std::optional<std::string> tag_key;  // set when found through a tag
  };

  LocalStore(std::string dir, BlobStore blobs, LayerStore layers)
      : dir_(std::move(dir)), blobs_(std::move(blobs)), layers_(std::move(layers)) {}

  Result<util::FileLock> lock(util::LockMode mode) const { return util::FileLock::acquire(dir_ + "/lock", mode); }
  Result<Image> read_image(const Digest& manifest, const Repositories& repos) const;
  Result<std::optional<Resolved>> resolve(std::string_view ref, const Repositories& repos) const;
  Result<std::optional<Digest>> resolve_id(std::string_view hex, const Repositories& repos) const;
  Result<ImageRef> add_image_locked(const Digest& manifest, const std::vector<std::string>& tags);
  Result<PruneReport> collect_garbage(const Repositories& repos) const;

  std::string dir_;
  BlobStore blobs_;
  LayerStore layers_;
};

}  // namespace stack::image
