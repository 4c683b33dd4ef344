// Unpacked layers: images/layers/<diff id>/, each unpacked once (into a temporary directory that is
// renamed into place, so an interrupted unpack never looks complete) and shared read-only as an
// overlayfs lower directory. gzip, zstd (and anything else libarchive detects) or plain tar.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "image/digest.hpp"
#include "image/fs.hpp"

namespace stack::image {

// Unpacks the layer archive at archive_path into the empty directory dest_fd and returns the digest
// of the uncompressed tar stream (the layer's diff id). label prefixes errors ("layer sha256:ab12…").
Result<Digest> unpack_layer(const std::string& archive_path, int dest_fd, const std::string& label);

class LayerStore {
 public:
  // dir is <root>/images/layers; created if missing.
  static Result<LayerStore> open(std::string dir);

  const std::string& dir() const { return dir_; }
  std::string path(const Digest& diff_id) const { return dir_ + "/" + diff_id.hex(); }
  bool contains(const Digest& diff_id) const;
  // Unpacks blob_path unless layers/<diff_id> exists; the stream must hash to diff_id. Returns the
  // directory. Concurrent callers for one layer are safe: the first rename wins.
  Result<std::string> ensure(const std::string& blob_path, const Digest& blob, const Digest& diff_id);
  // Unpacks a layer whose diff id is not known yet (imports) and returns it.
  Result<Digest> add(const std::string& blob_path, const Digest& blob);
  // false when absent.
  Result<bool> remove(const Digest& diff_id) const;
  Result<std::vector<Digest>> list() const;
  // Removes temporary directories of interrupted unpacks.
  void remove_temporaries() const;

 private:
  explicit LayerStore(std::string dir) : dir_(std::move(dir)) {}
  Result<Digest> unpack_into_place(const std::string& blob_path, const Digest& blob,
                                   const std::optional<Digest>& expected);
  std::string dir_;
};

}  // namespace stack::image
