// `stack import rootfs.tar name[:tag]`: a one-layer image from a root filesystem tarball (plain or
// compressed), like `docker import`: the tarball is stored as the layer blob as it is, unpacked once
// (which checks it and yields the diff id), and described by a fresh config and OCI manifest.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <memory>

#include <nlohmann/json.hpp>

#include "image/archive_load.hpp"
#include "image/local_store.hpp"
#include "image/manifest.hpp"
#include "image/reference.hpp"

namespace stack::image {

using util::Errc;
using util::Error;
using util::fail;

namespace {

std::string rfc3339_now() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string import_config(const Digest& diff_id, const std::string& source) {
  Platform p = host_platform();
  std::string now = rfc3339_now();
  nlohmann::json j = {
      {"architecture", p.architecture},
      {"os", p.os},
      {"created", now},
      {"config", nlohmann::json::object()},
      {"rootfs", {{"type", "layers"}, {"diff_ids", {diff_id.str()}}}},
      {"history",
       {{{"created", now}, {"created_by", "stack import"}, {"comment", "imported from " + source}}}},
  };
  return j.dump();
}

Result<Descriptor> describe(const BlobStore& blobs, const Digest& d, std::string media_type) {
  STACK_ASSIGN_OR_RETURN(uint64_t size, blobs.size(d));
  Descriptor desc;
  desc.media_type = std::move(media_type);
  desc.digest = d;
  desc.size = static_cast<int64_t>(size);
  return desc;
}

}  // namespace

Result<ImageRef> LocalStore::import_rootfs(const std::string& tar_path, std::string_view ref_text) {
  STACK_ASSIGN_OR_RETURN(Reference ref, Reference::parse(ref_text));
  if (ref.digest()) {
    return fail(Errc::invalid_argument, "cannot import into a digest reference '" + ref.str() + "'");
  }
  STACK_ASSIGN_OR_RETURN(util::FileLock held, lock(util::LockMode::exclusive));
  auto blob = blobs_.write_file(tar_path);
  if (!blob) return std::move(blob).error().context("importing '" + tar_path + "'");
  auto diff_id = layers_.add(blobs_.path(*blob), *blob);
  if (!diff_id) return std::move(diff_id).error().context("importing '" + tar_path + "'");
  STACK_ASSIGN_OR_RETURN(std::string layer_type, sniff_layer_media_type(blobs_.path(*blob)));
  STACK_ASSIGN_OR_RETURN(Digest config, blobs_.write(import_config(*diff_id, tar_path)));
  Manifest m;
  m.media_type = media::kOciManifest;
  STACK_ASSIGN_OR_RETURN(m.config, describe(blobs_, config, std::string(media::kOciConfig)));
  STACK_ASSIGN_OR_RETURN(Descriptor layer, describe(blobs_, *blob, layer_type));
  m.layers.push_back(std::move(layer));
  STACK_ASSIGN_OR_RETURN(Digest manifest, blobs_.write(manifest_to_json(m)));
  return add_image_locked(manifest, {*ref.tag_key()});
}

}  // namespace stack::image
