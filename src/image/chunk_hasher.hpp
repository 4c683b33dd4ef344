// SHA-256 of a stream on a second thread: the writer hands over whole chunks (their buffers move,
// nothing is copied) and goes on reading and writing the next one while this hashes. On a
// 2-core machine a large layer's hashing (2 GB/s with SHA-NI) then overlaps its copying instead
// of following it. At most two chunks wait, so memory stays bounded by the chunk size.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "image/digest.hpp"

namespace stack::image {

class ChunkHasher {
 public:
  // Takes over state (the bytes hashed before the first chunk; state starts over) and starts the
  // thread; null, with state untouched, when no thread can be made (the caller hashes inline).
  static std::unique_ptr<ChunkHasher> start(Sha256& state);
  ~ChunkHasher();
  ChunkHasher(const ChunkHasher&) = delete;
  ChunkHasher& operator=(const ChunkHasher&) = delete;

  // Takes chunk's bytes (hashed after every chunk given before) and leaves chunk an empty buffer
  // of a chunk hashed earlier, so that its capacity is used again. Waits while two chunks queue.
  void add(std::string& chunk);
  // Waits for the queued chunks and returns the digest of everything added.
  Digest finish();

 private:
  ChunkHasher() = default;
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queued_;
  std::vector<std::string> spare_;
  bool closing_ = false;
  Sha256 hash_;  // used by the worker only until it ends
  std::thread worker_;
};

}  // namespace stack::image
