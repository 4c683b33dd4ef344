// image::Store: the side-effect seam between the scheduler and the image content store. The
// scheduler and CLI depend on this interface only; tests give it a fake. Store::open() returns the
// local store under <root>/images (see docs/images.md for the layout).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "image/blob_store.hpp"
#include "image/digest.hpp"
#include "image/image_config.hpp"

namespace stack::image {

struct LayerInfo {
  Digest blob;     // compressed (or plain) layer blob in blobs/
  Digest diff_id;  // digest of the uncompressed tar: names layers/<hex>/
  std::string media_type;
  int64_t size = 0;
};

struct Image {
  Digest digest;  // manifest digest: the image's identity in the store
  Digest id;      // config digest: docker's image id
  std::vector<std::string> tags;  // fully qualified "docker.io/library/busybox:latest"
  ImageConfig config;
  std::vector<LayerInfo> layers;  // bottom first, as in the manifest
  int64_t size = 0;               // config plus layer blobs
  // find(): unix seconds when the tag it was found by was last set (pulled, loaded, built,
  // tagged); 0 when unknown or found by digest.
  int64_t last_tag_time = 0;
};

// What load() and import_rootfs() added.
struct ImageRef {
  Digest digest;
  Digest id;
  std::vector<std::string> tags;
};

struct RemoveReport {
  std::vector<std::string> untagged;
  std::optional<Digest> deleted;  // set when the image itself went away
};

struct PruneOptions {
  bool all = false;  // false: only untagged images; true: every image not in use
};

struct PruneReport {
  std::vector<Digest> images;
  size_t blobs = 0;
  size_t layers = 0;
  uint64_t bytes = 0;  // blob bytes reclaimed
};

// How a pull adds an image: blobs are written through blobs() while the ingest holds the store's
// shared lock (so a prune waits and never collects a blob that is not named yet), then commit()
// records the image and its tags under the exclusive lock. Dropping an ingest releases the lock.
class Ingest {
 public:
  virtual ~Ingest() = default;
  virtual const BlobStore& blobs() const = 0;
  // Every blob of the manifest must be in blobs(); tags are fully qualified "name:tag" keys.
  virtual Result<ImageRef> commit(const Digest& manifest, const std::vector<std::string>& tags) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // The local store under <root>/images, created if missing.
  static Result<std::unique_ptr<Store>> open(std::string root);

  // docker save archives and OCI image layouts (tar, compressed tar or directory).
  virtual Result<std::vector<ImageRef>> load(const std::string& path) = 0;
  // The image an OCI image layout directory holds under tag (or digest, when given; see
  // select_oci_layout_image), added untagged: a build's `oci-layout://` context.
  virtual Result<Image> add_layout_image(const std::string& dir, std::string_view tag,
                                         const std::optional<Digest>& digest) = 0;
  // A one-layer image from a root filesystem tarball, tagged ref ("name[:tag]").
  virtual Result<ImageRef> import_rootfs(const std::string& tar_path, std::string_view ref) = 0;
  // By reference ("busybox", "x@sha256:..."), manifest digest, image id or id prefix (>= 12 hex).
  // An invalid reference is an error; an absent image is nullopt.
  virtual Result<std::optional<Image>> find(std::string_view ref) = 0;
  // The unpacked layer directories, top layer first (overlayfs lowerdir order), unpacking on demand.
  virtual Result<std::vector<std::string>> layer_dirs(const Image& image) = 0;
  virtual Result<std::vector<Image>> list() = 0;
  // The images (manifest digests) with a layer among dirs, directories layer_dirs() gave: what a
  // set of mounted root filesystems keeps in use (image/layer_usage.hpp).
  virtual Result<std::set<Digest>> images_using_layers(const std::vector<std::string>& dirs) = 0;
  // By tag: untags, and deletes the image with its last tag. By digest or id: deletes the image and
  // all its tags. Whether a container still uses it is the caller's question.
  virtual Result<RemoveReport> remove(std::string_view ref) = 0;
  // in_use holds manifest digests or image ids; blobs and layers no image needs are collected.
  virtual Result<PruneReport> prune(const std::set<Digest>& in_use, PruneOptions options) = 0;
  // docker-inspect-like JSON.
  virtual Result<nlohmann::json> inspect(std::string_view ref) = 0;
  // For registry pulls (image/pull.hpp).
  virtual Result<std::unique_ptr<Ingest>> begin_ingest() = 0;
};

}  // namespace stack::image
