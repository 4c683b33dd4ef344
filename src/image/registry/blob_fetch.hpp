// Downloading one blob into the blob store: streamed through a resumable verifying writer
// (blobs/.partial-<hex>), continued with "Range: bytes=N-" after an interruption (within this pull,
// up to `retries` times, or by the next pull), started over when the server ignores the range, and
// renamed into place only when digest and size match. A blob already stored is not fetched.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include "image/blob_store.hpp"
#include "image/manifest.hpp"
#include "image/registry/client.hpp"

namespace stack::image::registry {

struct BlobFetch {
  bool reused = false;  // already in the store
  uint64_t bytes = 0;   // downloaded now
};

// (bytes stored so far, total) as the download goes; throttled.
using BlobProgress = std::function<void(uint64_t current, uint64_t total)>;

Result<BlobFetch> fetch_blob(Client& client, Http& http, const BlobStore& blobs, const Descriptor& blob,
                             int retries, const BlobProgress& progress,
                             const std::atomic<bool>* cancelled = nullptr);

}  // namespace stack::image::registry
