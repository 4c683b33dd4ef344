// `docker save` archives: manifest.json lists, per image, the config file, the layer tars (bottom
// first) and RepoTags. Docker before 25 writes <id>/layer.tar and <hex>.json; docker 25+ writes an OCI
// layout beside manifest.json whose paths point into blobs/sha256 (and links <id>/layer.tar there).
// The archive has no registry manifest, so one is made here (OCI media types) and stored as a blob:
// its digest becomes the image's identity, as for any other image.
#include <nlohmann/json.hpp>

#include "image/archive_load.hpp"
#include "image/image_config.hpp"
#include "image/reference.hpp"

namespace stack::image {

using nlohmann::json;
using util::Errc;
using util::fail;

namespace {

struct SaveEntry {
  std::string config;
  std::vector<std::string> layers;
  std::vector<std::string> repo_tags;
};

Result<std::vector<SaveEntry>> parse_save_manifest(const std::string& text) {
  std::vector<SaveEntry> out;
  try {
    auto j = json::parse(text);
    if (!j.is_array()) return fail(Errc::parse, "manifest.json is not a list");
    for (const auto& e : j) {
      SaveEntry s;
      s.config = e.at("Config").get<std::string>();
      s.layers = e.at("Layers").get<std::vector<std::string>>();
      if (auto it = e.find("RepoTags"); it != e.end() && it->is_array()) {
        s.repo_tags = it->get<std::vector<std::string>>();
      }
      out.push_back(std::move(s));
    }
  } catch (const json::exception& e) {
    return fail(Errc::parse, std::string("manifest.json: ") + e.what());
  }
  return out;
}

Result<Descriptor> describe_blob(const BlobStore& blobs, const Digest& d, std::string media_type) {
  STACK_ASSIGN_OR_RETURN(uint64_t size, blobs.size(d));
  Descriptor desc;
  desc.media_type = std::move(media_type);
  desc.digest = d;
  desc.size = static_cast<int64_t>(size);
  return desc;
}

Result<FoundImage> build_image(const SaveEntry& entry, const Staged& staged, const BlobStore& blobs) {
  Manifest m;
  m.media_type = media::kOciManifest;
  STACK_ASSIGN_OR_RETURN(Digest config, staged.blob_at(entry.config));
  STACK_ASSIGN_OR_RETURN(m.config, describe_blob(blobs, config, std::string(media::kOciConfig)));
  STACK_ASSIGN_OR_RETURN(std::string config_text, blobs.read(config));
  STACK_ASSIGN_OR_RETURN(ImageConfig parsed, parse_image_config(config_text));
  if (parsed.diff_ids.size() != entry.layers.size()) {
    return fail(Errc::parse, "config has " + std::to_string(parsed.diff_ids.size()) + " diff ids for " +
                                 std::to_string(entry.layers.size()) + " layers");
  }
  for (const auto& layer : entry.layers) {
    STACK_ASSIGN_OR_RETURN(Digest blob, staged.blob_at(layer));
    STACK_ASSIGN_OR_RETURN(std::string type, sniff_layer_media_type(blobs.path(blob)));
    STACK_ASSIGN_OR_RETURN(Descriptor d, describe_blob(blobs, blob, type));
    m.layers.push_back(std::move(d));
  }
  FoundImage found;
  STACK_ASSIGN_OR_RETURN(found.manifest, blobs.write(manifest_to_json(m)));
  for (const auto& tag : entry.repo_tags) {
    auto ref = Reference::parse(tag);
    if (!ref) return std::move(ref).error().context("RepoTags");
    if (auto key = ref->tag_key()) found.tags.push_back(*key);
  }
  return found;
}

}  // namespace

Result<std::vector<FoundImage>> resolve_docker_archive(const Staged& staged, const BlobStore& blobs) {
  auto file = staged.files.find("manifest.json");
  if (file == staged.files.end()) return fail(Errc::parse, "not a docker save archive: no 'manifest.json'");
  STACK_ASSIGN_OR_RETURN(std::vector<SaveEntry> entries, parse_save_manifest(file->second));
  std::vector<FoundImage> found;
  for (size_t i = 0; i < entries.size(); ++i) {
    auto image = build_image(entries[i], staged, blobs);
    if (!image) return std::move(image).error().context("manifest.json entry " + std::to_string(i));
    found.push_back(std::move(*image));
  }
  if (found.empty()) return fail(Errc::parse, "manifest.json lists no images");
  return found;
}

}  // namespace stack::image
