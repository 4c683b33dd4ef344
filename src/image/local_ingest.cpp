// LocalStore's Ingest for registry pulls: holds the store's shared lock while blobs arrive, then
// converts it to exclusive to record the image. flock's conversion drops the shared lock before it
// takes the exclusive one, so a prune may run in between: commit() then finds a blob missing and
// says so (pull again) instead of recording an incomplete image.
#include "image/local_store.hpp"

namespace stack::image {

class LocalIngest final : public Ingest {
 public:
  LocalIngest(LocalStore& store, util::FileLock lock) : store_(store), lock_(std::move(lock)) {}

  const BlobStore& blobs() const override { return store_.blobs(); }

  Result<ImageRef> commit(const Digest& manifest, const std::vector<std::string>& tags) override {
    STACK_TRY(lock_.upgrade());
    auto added = store_.add_image_locked(manifest, tags);
    if (!added && added.error().code() == util::Errc::not_found) {
      return std::move(added).error().context("a concurrent prune removed a blob; pull again");
    }
    return added;
  }

 private:
  LocalStore& store_;
  util::FileLock lock_;
};

Result<std::unique_ptr<Ingest>> LocalStore::begin_ingest() {
  STACK_ASSIGN_OR_RETURN(util::FileLock held, lock(util::LockMode::shared));
  return std::unique_ptr<Ingest>(new LocalIngest(*this, std::move(held)));
}

}  // namespace stack::image
