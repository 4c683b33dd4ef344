#include "build/layer_tar.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "image/manifest.hpp"
#include "image/whiteout.hpp"

// libarchive's pax writer reports an unsupported file type through this helper, which libarchive
// keeps in archive_write_set_format.o, beside the table of every writer (xar needs libxml2, the
// others nettle): linking that object would pull them all into `stack`. stack writes only regular
// files, directories, links, devices and fifos, so the helper is defined here with libarchive's
// behaviour (an error on the archive), and the linker never needs the table.
extern "C" void __archive_write_entry_filetype_unsupported(struct archive* a, struct archive_entry* entry,
                                                          const char* format) {
  const char* name = archive_entry_pathname(entry);
  archive_set_error(a, EINVAL, "%s: %s format cannot archive this type of file",
                    name ? name : "entry", format);
}

namespace stack::build {

using util::Errc;
using util::Error;
using util::fail;

struct LayerTar::Impl {
  image::BlobWriter blob;
  archive* a = nullptr;
  int64_t epoch = 0;
  size_t count = 0;
  std::optional<Error> error;  // the first failure inside a libarchive callback

  explicit Impl(image::BlobWriter w) : blob(std::move(w)) {}
  ~Impl() {
    if (a) archive_write_free(a);
  }

  // libarchive hands over one 10 KiB block at a time (the block size is part of the archive's
  // bytes: its end is padded to it); the blob gets them 1 MiB at a time, a hundred times fewer
  // write(2) calls for a large file.
  static constexpr size_t kFlushAt = 1 << 20;
  std::string pending;

  // Each full buffer is written, then hashed on a second thread while the next one fills.
  Result<void> flush() {
    if (pending.empty()) return util::ok();
    auto w = blob.write_chunk(pending);
    pending.clear();
    pending.reserve(kFlushAt + 10240);
    return w;
  }

  static la_ssize_t write_cb(archive*, void* ctx, const void* data, size_t size) {
    auto* self = static_cast<Impl*>(ctx);
    self->pending.append(static_cast<const char*>(data), size);
    if (self->pending.size() < kFlushAt) return static_cast<la_ssize_t>(size);
    if (auto w = self->flush(); !w) {
      self->error = std::move(w).error();
      return -1;
    }
    return static_cast<la_ssize_t>(size);
  }

  Result<void> check(int rc, const std::string& what) {
    if (rc >= ARCHIVE_WARN) return util::ok();
    if (error) return *error;
    const char* s = archive_error_string(a);
    return fail(Errc::io, what + ": " + (s ? s : "archive error"));
  }
};

LayerTar::LayerTar(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LayerTar::LayerTar(LayerTar&&) noexcept = default;
LayerTar& LayerTar::operator=(LayerTar&&) noexcept = default;
LayerTar::~LayerTar() = default;

Result<LayerTar> LayerTar::create(const image::BlobStore& blobs, int64_t epoch, std::optional<image::Digest> repeats) {
  image::BlobWriteOptions options;
  options.repeats = std::move(repeats);
  STACK_ASSIGN_OR_RETURN(image::BlobWriter w, blobs.writer(std::move(options)));
  auto impl = std::make_unique<Impl>(std::move(w));
  impl->epoch = epoch;
  impl->pending.reserve(Impl::kFlushAt + 10240);
  impl->a = archive_write_new();
  archive_write_set_format_pax_restricted(impl->a);
  archive_write_set_bytes_per_block(impl->a, 10240);
  if (archive_write_open(impl->a, impl.get(), nullptr, &Impl::write_cb, nullptr) != ARCHIVE_OK) {
    return fail(Errc::internal, std::string("tar writer: ") + archive_error_string(impl->a));
  }
  return LayerTar(std::move(impl));
}

size_t LayerTar::entries() const { return impl_->count; }

Result<void> LayerTar::add(TarEntry e, int content_fd) {
  std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(), archive_entry_free);
  archive_entry* x = entry.get();
  bool dir = S_ISDIR(e.mode);
  std::string name = dir && !e.path.ends_with('/') ? e.path + "/" : e.path;
  archive_entry_set_pathname(x, name.c_str());
  archive_entry_set_uid(x, e.uid);
  archive_entry_set_gid(x, e.gid);
  archive_entry_set_mtime(x, std::min(e.mtime, impl_->epoch), 0);
  if (e.hardlink) {
    archive_entry_set_hardlink(x, e.link.c_str());
    archive_entry_set_mode(x, e.mode);
    archive_entry_set_size(x, 0);
  } else {
    archive_entry_set_mode(x, e.mode);
    if (S_ISLNK(e.mode)) archive_entry_set_symlink(x, e.link.c_str());
    if (S_ISCHR(e.mode) || S_ISBLK(e.mode)) archive_entry_set_rdev(x, e.rdev);
    archive_entry_set_size(x, S_ISREG(e.mode) ? e.size : 0);
  }
  for (const auto& [k, v] : e.xattrs) archive_entry_xattr_add_entry(x, k.c_str(), v.data(), v.size());
  STACK_TRY(impl_->check(archive_write_header(impl_->a, x), "tar header '" + e.path + "'"));
  ++impl_->count;
  if (!S_ISREG(e.mode) || e.hardlink || e.size == 0) return util::ok();
  constexpr size_t kChunk = 512 * 1024;
  std::string chunk;
  int64_t left = e.size;
  while (left > 0) {
    chunk.resize(static_cast<size_t>(std::min<int64_t>(left, static_cast<int64_t>(kChunk))));
    ssize_t n = ::read(content_fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read '" + e.path + "'");
    if (n == 0) return fail(Errc::io, "'" + e.path + "' changed size while being read");
    chunk.resize(static_cast<size_t>(n));
    la_ssize_t w = archive_write_data(impl_->a, chunk.data(), chunk.size());
    if (w < 0) STACK_TRY(impl_->check(ARCHIVE_FATAL, "tar data '" + e.path + "'"));
    left -= n;
  }
  return util::ok();
}

Result<void> LayerTar::add_whiteout(const std::string& path) {
  TarEntry e;
  e.path = image::whiteout_path_for(path);
  e.mode = S_IFREG;
  return add(std::move(e));
}

Result<void> LayerTar::add_opaque(const std::string& dir) {
  TarEntry e;
  e.path = (dir.empty() ? "" : dir + "/") + std::string(image::kOpaqueMarker);
  e.mode = S_IFREG;
  return add(std::move(e));
}

Result<image::LayerInfo> LayerTar::finish() {
  STACK_TRY(impl_->check(archive_write_close(impl_->a), "tar close"));
  STACK_TRY(impl_->flush());
  image::LayerInfo info;
  info.media_type = std::string(image::media::kOciLayer);
  STACK_ASSIGN_OR_RETURN(info.blob, impl_->blob.commit());
  info.diff_id = info.blob;  // uncompressed: the blob is the diff
  info.size = static_cast<int64_t>(impl_->blob.offset());
  return info;
}

}  // namespace stack::build
