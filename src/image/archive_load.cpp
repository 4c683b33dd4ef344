#include "image/archive_load.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "image/path_safety.hpp"

namespace stack::image {

using util::Errc;
using util::Error;
using util::fail;

namespace {

constexpr size_t kMaxMetadata = 16u << 20;
constexpr size_t kBlock = 128 * 1024;
constexpr std::string_view kBlobPrefix = "blobs/sha256/";

using ReadFn = std::function<Result<size_t>(char*, size_t)>;

bool is_metadata(const std::string& p) {
  return p == "index.json" || p == "manifest.json" || p == "oci-layout" || p == "repositories";
}

// Legacy v1 per-layer files of docker save ("<id>/json", "<id>/VERSION"): nothing reads them.
bool is_ignored(const std::string& p) {
  auto base = split_parent(p).second;
  return base == "json" || base == "VERSION";
}

Result<std::string> read_small(const std::string& path, const ReadFn& read) {
  std::string out;
  char buf[65536];
  for (;;) {
    STACK_ASSIGN_OR_RETURN(size_t n, read(buf, sizeof buf));
    if (n == 0) return out;
    if (out.size() + n > kMaxMetadata) return fail(Errc::parse, "'" + path + "' is too large");
    out.append(buf, n);
  }
}

Result<Digest> copy_into_store(const std::string& path, const ReadFn& read, const BlobStore& blobs) {
  std::optional<Digest> expected;
  if (path.starts_with(kBlobPrefix)) {
    auto d = Digest::parse("sha256:" + path.substr(kBlobPrefix.size()));
    if (d) expected = *d;
  }
  if (expected && blobs.contains(*expected)) return *expected;  // data is skipped unread
  STACK_ASSIGN_OR_RETURN(BlobWriter w, blobs.writer({.digest = expected}));
  auto buf = std::make_unique<char[]>(kBlock);
  for (;;) {
    STACK_ASSIGN_OR_RETURN(size_t n, read(buf.get(), kBlock));
    if (n == 0) break;
    STACK_TRY(w.write(buf.get(), n));
  }
  return w.commit();
}

Result<void> stage_file(Staged& s, const BlobStore& blobs, const std::string& path, const ReadFn& read) {
  if (is_metadata(path)) {
    STACK_ASSIGN_OR_RETURN(s.files[path], read_small(path, read));
    return util::ok();
  }
  if (is_ignored(path)) return util::ok();
  auto digest = copy_into_store(path, read, blobs);
  if (!digest) return std::move(digest).error().context("'" + path + "'");
  s.blobs[path] = *digest;
  return util::ok();
}

std::string archive_error(archive* a) {
  const char* s = archive_error_string(a);
  return s ? s : "unknown archive error";
}

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};

Result<void> stage_tar_entry(Staged& s, const BlobStore& blobs, archive* a, archive_entry* e) {
  const char* raw = archive_entry_pathname(e);
  if (!raw) return fail(Errc::parse, "entry without a name");
  STACK_ASSIGN_OR_RETURN(std::string path, clean_entry_path(raw));
  if (const char* target = archive_entry_hardlink(e)) {
    STACK_ASSIGN_OR_RETURN(std::string t, clean_entry_path(target));
    if (auto it = s.blobs.find(t); it != s.blobs.end()) s.blobs[path] = it->second;
    if (auto it = s.files.find(t); it != s.files.end()) s.files[path] = it->second;
    return util::ok();
  }
  if (archive_entry_filetype(e) == AE_IFLNK) {
    if (const char* target = archive_entry_symlink(e)) s.symlinks[path] = target;
    return util::ok();
  }
  if (archive_entry_filetype(e) != AE_IFREG) return util::ok();
  ReadFn read = [a](char* buf, size_t n) -> Result<size_t> {
    la_ssize_t got = archive_read_data(a, buf, n);
    if (got < 0) return fail(Errc::parse, archive_error(a));
    return static_cast<size_t>(got);
  };
  return stage_file(s, blobs, path, read);
}

Result<Staged> stage_tar(const std::string& path, const BlobStore& blobs) {
  std::unique_ptr<archive, ArchiveFree> a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), kBlock) != ARCHIVE_OK) {
    return fail(Errc::parse, "open '" + path + "': " + archive_error(a.get()));
  }
  Staged s;
  for (;;) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) return s;
    if (rc < ARCHIVE_WARN) {
      return fail(Errc::parse, "read '" + path + "': " + archive_error(a.get()));
    }
    STACK_TRY(stage_tar_entry(s, blobs, a.get(), e));
  }
}

Result<void> stage_dir_file(Staged& s, const BlobStore& blobs, const std::filesystem::path& file,
                            const std::string& rel) {
  STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, util::UniqueFd::open(file.string(), O_RDONLY | O_NOFOLLOW));
  ReadFn read = [&fd, &file](char* buf, size_t n) -> Result<size_t> {
    for (;;) {
      ssize_t got = ::read(fd.get(), buf, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) return Error::from_errno("read '" + file.string() + "'");
    }
  };
  return stage_file(s, blobs, rel, read);
}

Result<Staged> stage_dir(const std::string& root, const BlobStore& blobs) {
  namespace fs = std::filesystem;
  Staged s;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    std::string rel = fs::relative(it->path(), root, ec).generic_string();
    if (ec) break;
    auto status = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_symlink(status)) {
      s.symlinks[rel] = fs::read_symlink(it->path(), ec).string();
    } else if (fs::is_regular_file(status)) {
      STACK_TRY(stage_dir_file(s, blobs, it->path(), rel));
    }
  }
  if (ec) return fail(Errc::io, "read directory '" + root + "': " + ec.message(), ec.value());
  return s;
}

// Joins a symlink target to the link's directory, lexically, refusing to leave the archive root.
std::optional<std::string> join_within(const std::string& dir, const std::string& target) {
  if (target.starts_with('/')) return std::nullopt;
  std::vector<std::string> parts;
  auto push = [&](std::string_view path) {
    size_t start = 0;
    while (start <= path.size()) {
      auto slash = std::min(path.find('/', start), path.size());
      auto part = path.substr(start, slash - start);
      if (part == "..") {
        if (parts.empty()) return false;
        parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.emplace_back(part);
      }
      start = slash + 1;
    }
    return true;
  };
  if (!push(dir) || !push(target)) return std::nullopt;
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

}  // namespace

Result<Digest> Staged::blob_at(const std::string& path) const {
  auto cleaned = clean_entry_path(path);
  if (!cleaned) return std::move(cleaned).error();
  std::string p = *cleaned;
  for (int hops = 0; hops < 8; ++hops) {
    if (auto it = blobs.find(p); it != blobs.end()) return it->second;
    auto link = symlinks.find(p);
    if (link == symlinks.end()) break;
    auto next = join_within(split_parent(p).first, link->second);
    if (!next) return fail(Errc::parse, "'" + path + "' links outside the archive");
    p = *next;
  }
  return fail(Errc::not_found, "'" + path + "' is missing from the archive");
}

Result<Staged> stage_archive(const std::string& path, const BlobStore& blobs) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Error::from_errno("open '" + path + "'");
  auto staged = S_ISDIR(st.st_mode) ? stage_dir(path, blobs) : stage_tar(path, blobs);
  if (!staged) return std::move(staged).error().context("loading '" + path + "'");
  return staged;
}

Result<std::string> sniff_layer_media_type(const std::string& blob_path) {
  STACK_ASSIGN_OR_RETURN(util::UniqueFd fd, util::UniqueFd::open(blob_path, O_RDONLY));
  unsigned char magic[4] = {};
  if (::read(fd.get(), magic, sizeof magic) < 0) return Error::from_errno("read '" + blob_path + "'");
  if (magic[0] == 0x1f && magic[1] == 0x8b) return std::string(media::kOciLayerGzip);
  if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) {
    return std::string(media::kOciLayerZstd);
  }
  return std::string(media::kOciLayer);
}

}  // namespace stack::image
