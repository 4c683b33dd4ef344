// OCI image layouts (image-spec image-layout.md): oci-layout, index.json, blobs/sha256/<hex>.
// Index entries may be manifests or nested indexes; an index resolves to the host platform's manifest.
// Names come from io.containerd.image.name (a full reference) or from
// org.opencontainers.image.ref.name when that is a full reference; a bare tag ("latest") names no
// repository, so such an image is loaded untagged and found by digest or id.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "image/archive_load.hpp"
#include "image/reference.hpp"

namespace stack::image {

using util::Errc;
using util::fail;

namespace {

constexpr int kMaxIndexDepth = 4;

void add_tag(std::vector<std::string>& tags, const std::string& text) {
  auto ref = Reference::parse(text);
  if (!ref) return;
  auto key = ref->tag_key();
  if (key && std::find(tags.begin(), tags.end(), *key) == tags.end()) tags.push_back(*key);
}

std::vector<std::string> tags_from_annotations(const std::map<std::string, std::string>& annotations) {
  std::vector<std::string> tags;
  if (auto it = annotations.find(std::string(kContainerdNameAnnotation)); it != annotations.end()) {
    add_tag(tags, it->second);
  }
  if (auto it = annotations.find(std::string(kRefNameAnnotation)); it != annotations.end()) {
    if (it->second.find_first_of("/:@") != std::string::npos) add_tag(tags, it->second);
  }
  return tags;
}

Result<void> check_layout_version(const Staged& staged) {
  auto it = staged.files.find("oci-layout");
  if (it == staged.files.end()) return fail(Errc::parse, "not an OCI image layout: 'oci-layout' is missing");
  try {
    auto j = nlohmann::json::parse(it->second);
    std::string version = j.at("imageLayoutVersion").get<std::string>();
    if (!version.starts_with("1.")) {
      return fail(Errc::unsupported, "unsupported OCI layout version '" + version + "'");
    }
  } catch (const nlohmann::json::exception& e) {
    return fail(Errc::parse, std::string("oci-layout: ") + e.what());
  }
  return util::ok();
}

Result<Digest> resolve_manifest(const Descriptor& d, const BlobStore& blobs, int depth) {
  if (!blobs.contains(d.digest)) {
    return fail(Errc::not_found, "manifest " + d.digest.str() + " is missing from the archive");
  }
  STACK_ASSIGN_OR_RETURN(std::string text, blobs.read(d.digest));
  STACK_ASSIGN_OR_RETURN(DocumentKind kind, document_kind(text));
  if (kind == DocumentKind::manifest) return d.digest;
  if (depth >= kMaxIndexDepth) return fail(Errc::parse, "indexes nested too deeply");
  STACK_ASSIGN_OR_RETURN(Index index, parse_index(text));
  Platform want = host_platform();
  auto pick = select_platform(index, want);
  if (!pick) {
    return fail(Errc::not_found, "index " + d.digest.short_str() + " has no manifest for " + want.os +
                                     "/" + want.architecture);
  }
  return resolve_manifest(*pick, blobs, depth + 1);
}

}  // namespace

Result<std::vector<FoundImage>> resolve_oci_layout(const Staged& staged, const BlobStore& blobs) {
  STACK_TRY(check_layout_version(staged));
  auto index_file = staged.files.find("index.json");
  if (index_file == staged.files.end()) return fail(Errc::parse, "OCI image layout without 'index.json'");
  auto index = parse_index(index_file->second);
  if (!index) return std::move(index).error().context("index.json");
  std::vector<FoundImage> found;
  for (const auto& d : index->manifests) {
    STACK_ASSIGN_OR_RETURN(Digest manifest, resolve_manifest(d, blobs, 0));
    auto same = std::find_if(found.begin(), found.end(), [&](auto& f) { return f.manifest == manifest; });
    if (same == found.end()) same = found.insert(found.end(), FoundImage{manifest, {}});
    for (auto& tag : tags_from_annotations(d.annotations)) {
      if (std::find(same->tags.begin(), same->tags.end(), tag) == same->tags.end()) {
        same->tags.push_back(tag);
      }
    }
  }
  if (found.empty()) return fail(Errc::parse, "the OCI image layout holds no images");
  return found;
}

Result<Digest> select_oci_layout_image(const Staged& staged, const BlobStore& blobs, std::string_view tag,
                                       const std::optional<Digest>& digest) {
  STACK_TRY(check_layout_version(staged));
  if (digest) {
    if (!blobs.contains(*digest) || staged.blobs.end() == std::find_if(staged.blobs.begin(), staged.blobs.end(),
                                                                        [&](auto& b) { return b.second == *digest; })) {
      return fail(Errc::not_found, "the OCI image layout has no " + digest->str());
    }
    return resolve_manifest(Descriptor{.digest = *digest}, blobs, 0);
  }
  auto index_file = staged.files.find("index.json");
  if (index_file == staged.files.end()) return fail(Errc::parse, "OCI image layout without 'index.json'");
  auto index = parse_index(index_file->second);
  if (!index) return std::move(index).error().context("index.json");
  for (const auto& d : index->manifests) {
    auto name = d.annotations.find(std::string(kRefNameAnnotation));
    if (name == d.annotations.end()) continue;
    const std::string& n = name->second;
    const size_t colon = n.rfind(':');
    const bool tagged_name = colon != std::string::npos && n.find('/', colon) == std::string::npos;
    if (n == tag || (tagged_name && std::string_view(n).substr(colon + 1) == tag)) return resolve_manifest(d, blobs, 0);
  }
  return fail(Errc::not_found, "the OCI image layout has no image tagged '" + std::string(tag) + "'");
}

}  // namespace stack::image
