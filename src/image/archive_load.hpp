// Reading image archives. stage_archive() streams every file of a tar (plain or compressed) or a
// directory once: metadata files (index.json, manifest.json, oci-layout, repositories) are kept in
// memory, every other regular file goes straight into the blob store through a verifying writer
// (files named blobs/sha256/<hex> must match their name). The format readers then work on the
// staged result: resolve_oci_layout() and resolve_docker_archive() name the images found.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "image/blob_store.hpp"
#include "image/manifest.hpp"

namespace stack::image {

struct Staged {
  std::map<std::string, std::string> files;     // metadata by cleaned path
  std::map<std::string, Digest> blobs;          // other regular files, now in the blob store
  std::map<std::string, std::string> symlinks;  // path -> target (docker 25 links layer.tar to blobs/)

  bool has(const std::string& path) const { return files.count(path) > 0; }
  // The blob stored for path, following archive-internal symlinks.
  Result<Digest> blob_at(const std::string& path) const;
};

Result<Staged> stage_archive(const std::string& path, const BlobStore& blobs);

struct FoundImage {
  Digest manifest;
  std::vector<std::string> tags;  // fully qualified tag keys
};

Result<std::vector<FoundImage>> resolve_oci_layout(const Staged& staged, const BlobStore& blobs);
Result<std::vector<FoundImage>> resolve_docker_archive(const Staged& staged, const BlobStore& blobs);

// The one image of an OCI layout that BuildKit's `oci-layout://PATH[:TAG][@DIGEST]` names: by
// digest (a manifest or an index of index.json, or a manifest an index of it lists), else by tag,
// matched against index.json's org.opencontainers.image.ref.name (the whole name or the tag after
// its last ':'). An index resolves to this host's platform.
Result<Digest> select_oci_layout_image(const Staged& staged, const BlobStore& blobs, std::string_view tag,
                                       const std::optional<Digest>& digest);

// Layer media type from the blob's first bytes (gzip, zstd or plain tar), for archives that do not say.
Result<std::string> sniff_layer_media_type(const std::string& blob_path);

}  // namespace stack::image
