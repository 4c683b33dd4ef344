#include "image/blob_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "util/dir.hpp"
#include "util/file_lock.hpp"

namespace stack::image {

using util::Errc;
using util::Error;
using util::fail;

namespace {

constexpr std::string_view kTmpPrefix = ".tmp-";
constexpr std::string_view kPartialPrefix = ".partial-";

// Feeds the bytes already in a partial file to the hasher and leaves the fd at its end.
Result<uint64_t> rehash_partial(int fd, Sha256& hash) {
  char buf[65536];
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("read partial blob");
    }
    if (n == 0) return total;
    hash.update(buf, static_cast<size_t>(n));
    total += static_cast<uint64_t>(n);
  }
}

}  // namespace

BlobWriter::~BlobWriter() {
  // A moved-from writer has no fd and owns nothing.
  if (!done_ && fd_.valid() && !opts_.resume) ::unlink(tmp_path_.c_str());
}

void BlobWriter::discard() {
  fd_.reset();
  if (!tmp_path_.empty()) ::unlink(tmp_path_.c_str());
  done_ = true;
}

Result<void> BlobWriter::check_room(size_t size) {
  if (done_) return fail(Errc::internal, "blob writer already finished");
  if (opts_.size && offset_ + size > *opts_.size) {
    std::string name = opts_.digest ? opts_.digest->short_str() : "blob";
    discard();
    return fail(Errc::parse, name + ": more data than the expected " + std::to_string(*opts_.size) +
                                 " bytes");
  }
  return util::ok();
}

Result<void> BlobWriter::write(const void* data, size_t size) {
  STACK_TRY(check_room(size));
  std::string_view bytes(static_cast<const char*>(data), size);
  if (!hash_only_) STACK_TRY(util::write_all(fd_.get(), bytes));
  if (background_) {
    std::string copy(bytes);
    background_->add(copy);
  } else {
    hash_.update(data, size);
  }
  offset_ += size;
  return util::ok();
}

Result<void> BlobWriter::write_chunk(std::string& chunk) {
  STACK_TRY(check_room(chunk.size()));
  if (!hash_only_) STACK_TRY(util::write_all(fd_.get(), chunk));
  offset_ += chunk.size();
  // A large blob's writeback starts as it is written, not all in commit's fsync: the disk works
  // while the rest is read and hashed (a 50 MiB layer: 72 -> 60 ms).
  if (!hash_only_ && offset_ - written_back_ >= kWritebackStep) {
    ::sync_file_range(fd_.get(), static_cast<off_t>(written_back_), static_cast<off_t>(offset_ - written_back_),
                      SYNC_FILE_RANGE_WRITE);
    written_back_ = offset_;
  }
  // Bytes hashed inline so far come first: the worker starts from this hasher's state.
  if (!background_) background_ = ChunkHasher::start(hash_);
  if (background_) {
    background_->add(chunk);
  } else {
    hash_.update(chunk);
    chunk.clear();
  }
  return util::ok();
}

Result<void> BlobWriter::restart() {
  if (done_) return fail(Errc::internal, "blob writer already finished");
  if (!hash_only_ && (::ftruncate(fd_.get(), 0) != 0 || ::lseek(fd_.get(), 0, SEEK_SET) != 0)) {
    return Error::from_errno("truncate '" + tmp_path_ + "'");
  }
  background_.reset();
  hash_ = Sha256();
  offset_ = 0;
  written_back_ = 0;
  return util::ok();
}

Result<Digest> BlobWriter::commit() {
  if (done_) return fail(Errc::internal, "blob writer already finished");
  Digest got = background_ ? background_->finish() : hash_.finish();
  background_.reset();
  if (hash_only_) {
    done_ = true;
    if (got != *opts_.repeats) {
      return fail(Errc::conflict, "the bytes differ from blob " + opts_.repeats->short_str() + ", which they were to repeat");
    }
    return got;
  }
  if (opts_.digest && got != *opts_.digest) {
    discard();
    return fail(Errc::parse, "digest mismatch: expected " + opts_.digest->str() + ", got " + got.str());
  }
  if (opts_.size && offset_ != *opts_.size) {
    discard();
    return fail(Errc::parse, got.short_str() + ": size " + std::to_string(offset_) +
                                 " differs from the expected " + std::to_string(*opts_.size));
  }
  std::string final_path = blobs_dir_ + "/sha256/" + got.hex();
  if (path_exists(final_path)) {
    // Stored (and synced) before: a rename over it would only free the old copy's blocks, and
    // the new copy, never synced, mostly still in the page cache, goes cheaply.
    discard();
    return got;
  }
  if (::fsync(fd_.get()) != 0) return Error::from_errno("fsync blob");
  fd_.reset();
  if (::rename(tmp_path_.c_str(), final_path.c_str()) != 0) {
    auto err = Error::from_errno("rename blob into '" + final_path + "'");
    discard();
    return err;
  }
  done_ = true;
  STACK_TRY(fsync_dir(blobs_dir_ + "/sha256"));
  return got;
}

Result<BlobStore> BlobStore::open(std::string dir) {
  // (STACK_TRY over a .context() chain would bind a reference to a dead temporary.)
  if (auto made = make_dirs(dir + "/sha256", 0700); !made) {
    return std::move(made).error().context("opening blob store");
  }
  return BlobStore(std::move(dir));
}

bool BlobStore::contains(const Digest& d) const { return path_exists(path(d)); }

Result<uint64_t> BlobStore::size(const Digest& d) const {
  struct stat st;
  if (::stat(path(d).c_str(), &st) != 0) {
    if (errno == ENOENT) return fail(Errc::not_found, "blob " + d.str() + " not found");
    return Error::from_errno("stat blob " + d.str());
  }
  return static_cast<uint64_t>(st.st_size);
}

Result<std::string> BlobStore::read(const Digest& d, size_t max_size) const {
  if (!contains(d)) return fail(Errc::not_found, "blob " + d.str() + " not found");
  STACK_ASSIGN_OR_RETURN(std::string data, util::read_file(path(d), max_size));
  if (Digest::of(data) != d) return fail(Errc::parse, "blob " + d.str() + " is corrupt on disk");
  return data;
}

Result<BlobWriter> BlobStore::writer(BlobWriteOptions opts) const {
  if (opts.resume && !opts.digest) {
    return fail(Errc::invalid_argument, "a resumable blob write needs the expected digest");
  }
  BlobWriter w;
  w.blobs_dir_ = dir_;
  if (opts.repeats && !opts.resume && contains(*opts.repeats)) {
    w.hash_only_ = true;  // no file at all
    w.opts_ = std::move(opts);
    return w;
  }
  w.tmp_path_ = dir_ + "/" +
                (opts.resume ? std::string(kPartialPrefix) + opts.digest->hex()
                             : std::string(kTmpPrefix) + random_suffix());
  if (opts.resume) {
    // Two resumers on one partial file would interleave bytes: the second one backs off. The
    // writer writes through the locked descriptor, so that closing it releases the lock.
    STACK_ASSIGN_OR_RETURN(std::optional<util::FileLock> lock, util::FileLock::try_acquire(w.tmp_path_));
    if (!lock) {
      return fail(Errc::conflict, "blob " + opts.digest->str() + " is being written by another process");
    }
    w.fd_ = std::move(*lock).release();
    STACK_ASSIGN_OR_RETURN(w.offset_, rehash_partial(w.fd_.get(), w.hash_));
  } else {
    STACK_ASSIGN_OR_RETURN(w.fd_, util::UniqueFd::open(w.tmp_path_, O_RDWR | O_CREAT | O_EXCL, 0600));
  }
  w.opts_ = std::move(opts);
  return w;
}

Result<Digest> BlobStore::write(std::string_view data, std::optional<Digest> expected) const {
  if (expected && contains(*expected)) return *expected;
  STACK_ASSIGN_OR_RETURN(BlobWriter w, writer({.digest = expected}));
  STACK_TRY(w.write(data));
  return w.commit();
}

Result<Digest> BlobStore::write_file(const std::string& path, std::optional<Digest> expected) const {
  STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, util::UniqueFd::open(path, O_RDONLY | O_CLOEXEC));
  STACK_ASSIGN_OR_RETURN(BlobWriter w, writer({.digest = expected}));
  std::string chunk;
  for (;;) {
    chunk.resize(1 << 20);
    ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read '" + path + "'");
    if (n == 0) break;
    chunk.resize(static_cast<size_t>(n));
    STACK_TRY(w.write_chunk(chunk));
  }
  return w.commit();
}

Result<bool> BlobStore::remove(const Digest& d) const {
  if (::unlink(path(d).c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  return Error::from_errno("remove blob " + d.str());
}

Result<std::vector<Digest>> BlobStore::list() const {
  STACK_ASSIGN_OR_RETURN(util::DirStream dir, util::DirStream::open(dir_ + "/sha256"));
  std::vector<Digest> out;
  while (const dirent* e = dir.next()) {
    if (is_sha256_hex(e->d_name)) out.push_back(Digest::from_hex(e->d_name));
  }
  return out;
}

void BlobStore::remove_temporaries() const {
  auto dir = util::DirStream::open(dir_);
  if (!dir) return;
  while (const dirent* e = dir->next()) {
    if (std::string_view(e->d_name).starts_with(kTmpPrefix)) ::unlinkat(dir->fd(), e->d_name, 0);
  }
}

}  // namespace stack::image
