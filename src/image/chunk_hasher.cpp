#include "image/chunk_hasher.hpp"

#include <system_error>

namespace stack::image {

namespace {
constexpr size_t kMaxQueued = 2;
}

std::unique_ptr<ChunkHasher> ChunkHasher::start(Sha256& state) {
  std::unique_ptr<ChunkHasher> hasher(new ChunkHasher());
  try {
    hasher->worker_ = std::thread([h = hasher.get()] { h->run(); });
  } catch (const std::system_error&) {  // EAGAIN: no thread to be had
    return nullptr;
  }
  // The worker reads hash_ only after taking a chunk, which add() queues under the mutex later.
  hasher->hash_ = std::move(state);
  state = Sha256();
  return hasher;
}

ChunkHasher::~ChunkHasher() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void ChunkHasher::add(std::string& chunk) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return queued_.size() < kMaxQueued; });
  queued_.push_back(std::move(chunk));
  chunk.clear();
  if (!spare_.empty()) {
    chunk = std::move(spare_.back());
    spare_.pop_back();
  }
  lock.unlock();
  cv_.notify_all();
}

Digest ChunkHasher::finish() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  worker_.join();
  return hash_.finish();
}

void ChunkHasher::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return closing_ || !queued_.empty(); });
    if (queued_.empty()) return;  // closing, and everything hashed
    std::string chunk = std::move(queued_.front());
    queued_.pop_front();
    lock.unlock();
    cv_.notify_all();  // a writer waiting for room
    hash_.update(chunk);
    chunk.clear();
    lock.lock();
    spare_.push_back(std::move(chunk));
  }
}

}  // namespace stack::image
