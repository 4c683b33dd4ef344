#include "image/layer_unpack.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "image/layer_entry.hpp"
#include "util/dir.hpp"
#include "util/fd.hpp"

namespace stack::image {

using util::Errc;
using util::Error;
using util::fail;

namespace {

constexpr std::string_view kTmpPrefix = ".tmp-";
constexpr size_t kBlockSize = 128 * 1024;

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

std::string archive_error(archive* a) {
  const char* s = archive_error_string(a);
  return s ? s : "unknown archive error";
}

// Two readers in a chain: the outer one only decompresses (format "raw") and its output is hashed,
// which gives the diff id in the same single pass; the inner one parses that stream as tar.
struct Decompressed {
  archive* outer = nullptr;
  Sha256 hash;
  std::unique_ptr<char[]> buf = std::make_unique<char[]>(kBlockSize);
};

la_ssize_t read_decompressed(archive* inner, void* ctx, const void** out) {
  auto* d = static_cast<Decompressed*>(ctx);
  la_ssize_t n = archive_read_data(d->outer, d->buf.get(), kBlockSize);
  if (n < 0) {
    archive_set_error(inner, EIO, "%s", archive_error(d->outer).c_str());
    return -1;
  }
  d->hash.update(d->buf.get(), static_cast<size_t>(n));
  *out = d->buf.get();
  return n;
}

Result<ArchivePtr> open_outer(const std::string& path) {
  ArchivePtr a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), kBlockSize) != ARCHIVE_OK) {
    return fail(Errc::parse, "open '" + path + "': " + archive_error(a.get()));
  }
  archive_entry* e = nullptr;
  if (archive_read_next_header(a.get(), &e) != ARCHIVE_OK) {
    return fail(Errc::parse, "read '" + path + "': " + archive_error(a.get()));
  }
  return a;
}

Result<void> extract_entries(archive* inner, int dest_fd) {
  EntryWriter writer(dest_fd);
  for (;;) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(inner, &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) return fail(Errc::parse, "read tar: " + archive_error(inner));
    STACK_TRY(writer.write(inner, e));
  }
  return writer.finish();
}

}  // namespace

Result<Digest> unpack_layer(const std::string& archive_path, int dest_fd, const std::string& label) {
  auto outer = open_outer(archive_path);
  if (!outer) return std::move(outer).error().context(label);
  Decompressed d;
  d.outer = outer->get();
  ArchivePtr inner(archive_read_new());
  archive_read_support_format_tar(inner.get());
  if (archive_read_open(inner.get(), &d, nullptr, read_decompressed, nullptr) != ARCHIVE_OK) {
    return fail(Errc::parse, label + ": not a tar archive: " + archive_error(inner.get()));
  }
  auto extracted = extract_entries(inner.get(), dest_fd);
  if (!extracted) return std::move(extracted).error().context(label);
  // The tar reader stops at the end-of-archive blocks; the diff id covers every byte after them too.
  const void* out = nullptr;
  for (la_ssize_t n; (n = read_decompressed(inner.get(), &d, &out)) != 0;) {
    if (n < 0) return fail(Errc::parse, label + ": " + archive_error(inner.get()));
  }
  return d.hash.finish();
}

Result<LayerStore> LayerStore::open(std::string dir) {
  // 0711: traversable by a container's mapped root when user namespaces arrive, never listable.
  if (auto made = make_dirs(dir, 0711); !made) return std::move(made).error().context("opening layer store");
  return LayerStore(std::move(dir));
}

bool LayerStore::contains(const Digest& diff_id) const { return path_exists(path(diff_id)); }

Result<std::string> LayerStore::ensure(const std::string& blob_path, const Digest& blob,
                                       const Digest& diff_id) {
  if (contains(diff_id)) return path(diff_id);
  STACK_TRY(unpack_into_place(blob_path, blob, diff_id));
  return path(diff_id);
}

Result<Digest> LayerStore::add(const std::string& blob_path, const Digest& blob) {
  return unpack_into_place(blob_path, blob, std::nullopt);
}

Result<Digest> LayerStore::unpack_into_place(const std::string& blob_path, const Digest& blob,
                                             const std::optional<Digest>& expected) {
  std::string tmp = dir_ + "/" + std::string(kTmpPrefix) + random_suffix();
  if (::mkdir(tmp.c_str(), 0755) != 0) return Error::from_errno("mkdir '" + tmp + "'");
  std::string label = "layer " + blob.short_str();
  auto unpacked = [&]() -> Result<Digest> {
    STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, util::UniqueFd::open(tmp, O_RDONLY | O_DIRECTORY));
    STACK_ASSIGN_OR_RETURN(Digest got, unpack_layer(blob_path, fd.get(), label));
    if (expected && got != *expected) {
      return fail(Errc::parse, label + ": content is " + got.str() + ", the image says " + expected->str());
    }
    // Everything durable before the rename makes the layer visible.
    if (::syncfs(fd.get()) != 0) return Error::from_errno("syncfs");
    return got;
  }();
  if (unpacked) {
    std::string final_path = path(*unpacked);
    // EEXIST/ENOTEMPTY: another process finished the same layer first; its copy is as good.
    if (::rename(tmp.c_str(), final_path.c_str()) != 0 && errno != EEXIST && errno != ENOTEMPTY) {
      unpacked = Error::from_errno("rename layer into '" + final_path + "'");
    }
  }
  (void)util::remove_tree(tmp);  // already gone after a successful rename
  if (!unpacked) return std::move(unpacked).error();
  STACK_TRY(fsync_dir(dir_));
  return unpacked;
}

Result<bool> LayerStore::remove(const Digest& diff_id) const {
  std::string p = path(diff_id);
  if (!path_exists(p)) return false;
  // Rename first so that a half-removed layer never looks complete.
  std::string doomed = dir_ + "/" + std::string(kTmpPrefix) + "rm-" + random_suffix();
  if (::rename(p.c_str(), doomed.c_str()) != 0) return Error::from_errno("remove layer '" + p + "'");
  (void)util::remove_tree(doomed);
  return true;
}

Result<std::vector<Digest>> LayerStore::list() const {
  STACK_ASSIGN_OR_RETURN(util::DirStream dir, util::DirStream::open(dir_));
  std::vector<Digest> out;
  while (const dirent* e = dir.next()) {
    if (is_sha256_hex(e->d_name)) out.push_back(Digest::from_hex(e->d_name));
  }
  return out;
}

void LayerStore::remove_temporaries() const {
  auto dir = util::DirStream::open(dir_);
  if (!dir) return;
  std::vector<std::string> doomed;
  while (const dirent* e = dir->next()) {
    if (std::string_view(e->d_name).starts_with(kTmpPrefix)) doomed.push_back(dir_ + "/" + e->d_name);
  }
  for (const auto& p : doomed) (void)util::remove_tree(p);
}

}  // namespace stack::image
