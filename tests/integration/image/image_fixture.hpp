// Helpers for the image integration tests: a temporary directory that cleans up after itself, tar
// and layer builders over libarchive's writer (so hostile archives can be made on purpose), an OCI
// image-layout builder, and the project's busybox test image.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "image/digest.hpp"

namespace stack::image::testing_support {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/stack-image-it-XXXXXX";
    if (::mkdtemp(tmpl)) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_text(const std::string& path, const std::string& data) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

struct TarEntry {
  std::string path;
  mode_t type = AE_IFREG;  // AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR, AE_IFIFO
  mode_t perm = 0644;
  std::string data;        // file content
  std::string link;        // symlink target
  std::string hardlink;    // hard link target (type ignored)
  int64_t uid = 0, gid = 0;
  dev_t rdev = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

inline TarEntry file(std::string path, std::string data, mode_t perm = 0644) {
  return TarEntry{.path = std::move(path), .perm = perm, .data = std::move(data)};
}
inline TarEntry dir(std::string path, mode_t perm = 0755) {
  return TarEntry{.path = std::move(path), .type = AE_IFDIR, .perm = perm};
}
inline TarEntry symlink(std::string path, std::string target) {
  return TarEntry{.path = std::move(path), .type = AE_IFLNK, .perm = 0777, .link = std::move(target)};
}
inline TarEntry hardlink(std::string path, std::string target) {
  return TarEntry{.path = std::move(path), .hardlink = std::move(target)};
}

namespace detail {
inline la_ssize_t append(archive*, void* ctx, const void* buf, size_t n) {
  static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}
}  // namespace detail

// A pax tar in memory, entries exactly as given (no name cleaning: hostile names stay hostile).
inline std::string tar_bytes(const std::vector<TarEntry>& entries) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_pax(a);
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open(a, &out, nullptr, detail::append, nullptr);
  for (const auto& e : entries) {
    archive_entry* en = archive_entry_new();
    archive_entry_set_pathname(en, e.path.c_str());
    archive_entry_set_uid(en, e.uid);
    archive_entry_set_gid(en, e.gid);
    archive_entry_set_mtime(en, 1700000000, 0);
    if (!e.hardlink.empty()) {
      archive_entry_set_filetype(en, AE_IFREG);
      archive_entry_set_hardlink(en, e.hardlink.c_str());
    } else {
      archive_entry_set_filetype(en, e.type);
    }
    archive_entry_set_perm(en, e.perm);
    if (e.type == AE_IFLNK) archive_entry_set_symlink(en, e.link.c_str());
    if (e.type == AE_IFCHR || e.type == AE_IFBLK) archive_entry_set_rdev(en, e.rdev);
    for (const auto& [k, v] : e.xattrs) archive_entry_xattr_add_entry(en, k.c_str(), v.data(), v.size());
    bool has_data = e.type == AE_IFREG && e.hardlink.empty();
    archive_entry_set_size(en, has_data ? static_cast<la_int64_t>(e.data.size()) : 0);
    archive_write_header(a, en);
    if (has_data && !e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(en);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

enum class Compression { none, gzip, zstd };

inline std::string compress(const std::string& data, Compression c) {
  if (c == Compression::none) return data;
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_raw(a);
  if (c == Compression::gzip) archive_write_add_filter_gzip(a);
  if (c == Compression::zstd) archive_write_add_filter_zstd(a);
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open(a, &out, nullptr, detail::append, nullptr);
  archive_entry* en = archive_entry_new();
  archive_entry_set_pathname(en, "data");
  archive_entry_set_filetype(en, AE_IFREG);
  archive_entry_set_size(en, static_cast<la_int64_t>(data.size()));
  archive_write_header(a, en);
  archive_write_data(a, data.data(), data.size());
  archive_entry_free(en);
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

struct Layer {
  std::vector<TarEntry> entries;
  Compression compression = Compression::gzip;
};

// Writes an OCI image layout directory with one image of the given layers (bottom first), tagged via
// the io.containerd.image.name annotation. Returns the manifest digest.
inline Digest write_oci_layout(const std::string& dir, const std::vector<Layer>& layers,
                               const std::string& name, nlohmann::json run_config = nlohmann::json::object()) {
  using nlohmann::json;
  auto put = [&](const std::string& data) {
    Digest d = Digest::of(data);
    write_text(dir + "/blobs/sha256/" + d.hex(), data);
    return d;
  };
  json layer_descs = json::array();
  json diff_ids = json::array();
  for (const auto& l : layers) {
    std::string tar = tar_bytes(l.entries);
    diff_ids.push_back(Digest::of(tar).str());
    std::string blob = compress(tar, l.compression);
    const char* type = l.compression == Compression::gzip   ? "application/vnd.oci.image.layer.v1.tar+gzip"
                       : l.compression == Compression::zstd ? "application/vnd.oci.image.layer.v1.tar+zstd"
                                                            : "application/vnd.oci.image.layer.v1.tar";
    layer_descs.push_back({{"mediaType", type}, {"digest", put(blob).str()}, {"size", blob.size()}});
  }
  std::string config = json{{"architecture", "amd64"}, {"os", "linux"}, {"config", run_config},
                            {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}}.dump();
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                               {"digest", put(config).str()}, {"size", config.size()}}},
                   {"layers", layer_descs}};
  std::string manifest_text = manifest.dump();
  Digest m = put(manifest_text);
  json index = {{"schemaVersion", 2},
                {"manifests", {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                {"digest", m.str()}, {"size", manifest_text.size()},
                                {"annotations", {{"io.containerd.image.name", name}}}}}}};
  write_text(dir + "/index.json", index.dump());
  write_text(dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  return m;
}

// The busybox test image from scripts/make-test-image.sh, built once per test binary (into a
// directory removed at exit) and copied into dir; returns the copy's path.
inline std::string make_test_image(const std::string& dir) {
  static TempDir cache;
  static std::string built = [] {
    std::string out = cache / "busybox-oci.tar";
    std::string cmd = std::string(STACK_SOURCE_DIR) + "/scripts/make-test-image.sh " + out + " >/dev/null";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return out;
  }();
  std::string copy = dir + "/busybox-oci.tar";
  fs::copy_file(built, copy, fs::copy_options::overwrite_existing);
  return copy;
}

}  // namespace stack::image::testing_support
