// Writes one layer: an uncompressed tar stream (libarchive, pax; OCI media type ...tar) straight
// into the content store through a verifying BlobWriter, so that the blob's digest is the diff id.
// Uncompressed as docker's own image store and podman's keep built layers: compression is for a
// registry, and stack pushes none (gzip was most of a build's time for a large COPY). Reproducible:
// every time is clamped to the epoch given (SOURCE_DATE_EPOCH), no user or group names, entries in
// the order added.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "image/blob_store.hpp"
#include "image/store.hpp"

namespace stack::build {

using util::Result;

struct TarEntry {
  std::string path;  // relative, cleaned, no leading "/"
  mode_t mode = 0;   // type bits included (S_IFREG, S_IFDIR, S_IFLNK, ...)
  uid_t uid = 0;
  gid_t gid = 0;
  int64_t mtime = 0;
  int64_t size = 0;         // regular files
  std::string link;         // symlink target, or hard link target (a path in this layer)
  bool hardlink = false;
  dev_t rdev = 0;           // devices
  std::vector<std::pair<std::string, std::string>> xattrs;
};

class LayerTar {
 public:
  // repeats: a stored layer this one is expected to repeat (BlobWriteOptions::repeats).
  static Result<LayerTar> create(const image::BlobStore& blobs, int64_t epoch,
                                 std::optional<image::Digest> repeats = std::nullopt);
  LayerTar(LayerTar&&) noexcept;
  LayerTar& operator=(LayerTar&&) noexcept;
  ~LayerTar();

  // content_fd: a regular file's data (size bytes are read from it); -1 for other types.
  Result<void> add(TarEntry entry, int content_fd = -1);
  // An OCI whiteout for path ("a/b" -> "a/.wh.b"); opaque: "a/.wh..wh..opq" for directory path.
  Result<void> add_whiteout(const std::string& path);
  Result<void> add_opaque(const std::string& dir);
  size_t entries() const;
  // Ends the archive, stores the blob (tar media type) and returns it; its diff id is its digest.
  Result<image::LayerInfo> finish();

  struct Impl;

 private:
  explicit LayerTar(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace stack::build
