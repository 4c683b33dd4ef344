// Content-addressed blob store: blobs/sha256/<hex>. Every blob enters through a BlobWriter that hashes
// while streaming and renames into place only when the digest matches, so a stored blob is always
// what its name says. A writer for a known digest can resume from a partial file (registry pulls).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "image/chunk_hasher.hpp"
#include "image/digest.hpp"
#include "image/fs.hpp"
#include "util/fd.hpp"

namespace stack::image {

struct BlobWriteOptions {
  std::optional<Digest> digest;  // expected digest; without it the computed digest names the blob
  std::optional<uint64_t> size;  // expected size; writing past it fails at once
  // Keep the partial file on failure and continue from it next time (needs digest).
  bool resume = false;
  // A blob the store holds that these bytes are expected to repeat (a remembered layer made
  // again): they are hashed, not written, and commit checks them against it (different bytes:
  // Errc::conflict, nothing stored). When the store lacks that blob, the bytes are written as
  // usual, and not checked.
  std::optional<Digest> repeats;
};

class BlobWriter {
 public:
  BlobWriter(BlobWriter&&) noexcept = default;
  BlobWriter& operator=(BlobWriter&&) noexcept = default;
  ~BlobWriter();

  // Bytes already written, including a resumed prefix: where a ranged download continues.
  uint64_t offset() const { return offset_; }
  Result<void> write(const void* data, size_t size);
  Result<void> write(std::string_view data) { return write(data.data(), data.size()); }
  // Writes chunk and hashes it on a second thread while the caller prepares the next one (for
  // large streams: a layer being made); chunk comes back as an empty buffer to fill again.
  Result<void> write_chunk(std::string& chunk);
  // Drops what was written (a resumed prefix included) and starts again at offset 0: for a server
  // that answers a ranged request with the whole blob.
  Result<void> restart();
  // fsync, verify digest and size, rename into blobs/sha256/<hex>. On mismatch nothing is stored.
  // A blob already stored under that digest stays as it is: the new copy is dropped unsynced.
  Result<Digest> commit();

 private:
  friend class BlobStore;
  BlobWriter() = default;
  void discard();
  Result<void> check_room(size_t size);

  std::string blobs_dir_;
  std::string tmp_path_;
  util::UniqueFd fd_;
  Sha256 hash_;
  std::unique_ptr<ChunkHasher> background_;  // once write_chunk is used, it hashes everything
  BlobWriteOptions opts_;
  uint64_t offset_ = 0;
  static constexpr uint64_t kWritebackStep = 8 << 20;
  uint64_t written_back_ = 0;  // offset up to which writeback was started (write_chunk)
  bool hash_only_ = false;  // BlobWriteOptions::repeats names a stored blob: nothing written
  bool done_ = false;
};

class BlobStore {
 public:
  // dir is <root>/images/blobs; created if missing.
  static Result<BlobStore> open(std::string dir);

  std::string path(const Digest& d) const { return dir_ + "/sha256/" + d.hex(); }
  bool contains(const Digest& d) const;
  Result<uint64_t> size(const Digest& d) const;
  // Reads a small blob (manifest, config) and checks its digest again: a file changed on disk is
  // an error, not a silently different image.
  Result<std::string> read(const Digest& d, size_t max_size = 16u << 20) const;
  Result<BlobWriter> writer(BlobWriteOptions opts = {}) const;
  Result<Digest> write(std::string_view data, std::optional<Digest> expected = std::nullopt) const;
  // The file at path as a blob (hashed beside the read, as write_chunk); with expected, verified.
  Result<Digest> write_file(const std::string& path, std::optional<Digest> expected = std::nullopt) const;
  // false when the blob was not there.
  Result<bool> remove(const Digest& d) const;
  Result<std::vector<Digest>> list() const;
  // Removes temporary files left by crashed writers (not resumable partials).
  void remove_temporaries() const;

 private:
  explicit BlobStore(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace stack::image
