#include "image/manifest.hpp"

#include <nlohmann/json.hpp>

namespace stack::image {

using nlohmann::json;
using util::Errc;
using util::fail;

namespace {

Result<json> parse_json(std::string_view text, std::string_view what) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    return fail(Errc::parse, std::string(what) + ": " + e.what());
  }
}

std::string string_field(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<Descriptor> parse_descriptor(const json& j, std::string_view where) {
  if (!j.is_object()) return fail(Errc::parse, std::string(where) + ": descriptor is not an object");
  Descriptor d;
  d.media_type = string_field(j, "mediaType");
  auto digest = Digest::parse(string_field(j, "digest"));
  if (!digest) return std::move(digest).error().context(where);
  d.digest = *digest;
  if (auto it = j.find("size"); it != j.end() && it->is_number_integer()) d.size = it->get<int64_t>();
  if (auto it = j.find("annotations"); it != j.end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) {
      if (v.is_string()) d.annotations[k] = v.get<std::string>();
    }
  }
  if (auto it = j.find("platform"); it != j.end() && it->is_object()) {
    d.platform = Platform{string_field(*it, "os"), string_field(*it, "architecture"),
                          string_field(*it, "variant")};
  }
  return d;
}

json descriptor_json(const Descriptor& d) {
  json j = {{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}};
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  return j;
}

}  // namespace

Platform host_platform() {
#if defined(__x86_64__)
  return {"linux", "amd64", ""};
#elif defined(__aarch64__)
  return {"linux", "arm64", "v8"};
#else
  return {"linux", "unknown", ""};
#endif
}

Result<DocumentKind> document_kind(std::string_view text) {
  STACK_ASSIGN_OR_RETURN(json j, parse_json(text, "manifest"));
  if (!j.is_object()) return fail(Errc::parse, "manifest is not a JSON object");
  std::string type = string_field(j, "mediaType");
  if (type == media::kOciIndex || type == media::kDockerList) return DocumentKind::index;
  if (type == media::kOciManifest || type == media::kDockerManifest) return DocumentKind::manifest;
  if (!type.empty()) return fail(Errc::unsupported, "unsupported manifest media type '" + type + "'");
  if (j.contains("manifests")) return DocumentKind::index;
  if (j.contains("layers")) return DocumentKind::manifest;
  return fail(Errc::parse, "document is neither a manifest nor an index");
}

Result<Manifest> parse_manifest(std::string_view text) {
  STACK_ASSIGN_OR_RETURN(json j, parse_json(text, "manifest"));
  if (!j.is_object() || !j.contains("config")) return fail(Errc::parse, "manifest has no config");
  auto version = j.find("schemaVersion");
  if (version == j.end() || !version->is_number_integer() || version->get<int>() != 2) {
    return fail(Errc::unsupported, "manifest schemaVersion is not 2");
  }
  Manifest m;
  m.media_type = string_field(j, "mediaType");
  if (m.media_type.empty()) m.media_type = media::kOciManifest;
  STACK_ASSIGN_OR_RETURN(m.config, parse_descriptor(j["config"], "manifest config"));
  auto layers = j.find("layers");
  if (layers == j.end() || !layers->is_array()) return fail(Errc::parse, "manifest has no layers");
  for (const auto& l : *layers) {
    STACK_ASSIGN_OR_RETURN(Descriptor d, parse_descriptor(l, "manifest layer"));
    if (!is_layer_media_type(d.media_type)) {
      return fail(Errc::unsupported, "layer " + d.digest.short_str() + " has unsupported media type '" +
                                         d.media_type + "'");
    }
    m.layers.push_back(std::move(d));
  }
  return m;
}

Result<Index> parse_index(std::string_view text) {
  STACK_ASSIGN_OR_RETURN(json j, parse_json(text, "index"));
  auto manifests = j.is_object() ? j.find("manifests") : j.end();
  if (manifests == j.end() || !manifests->is_array()) return fail(Errc::parse, "index has no manifests");
  Index index;
  index.media_type = string_field(j, "mediaType");
  for (const auto& entry : *manifests) {
    STACK_ASSIGN_OR_RETURN(Descriptor d, parse_descriptor(entry, "index entry"));
    index.manifests.push_back(std::move(d));
  }
  return index;
}

std::string manifest_to_json(const Manifest& m) {
  json j = {{"schemaVersion", 2}, {"mediaType", m.media_type}, {"config", descriptor_json(m.config)}};
  j["layers"] = json::array();
  for (const auto& l : m.layers) j["layers"].push_back(descriptor_json(l));
  return j.dump();
}

std::optional<Descriptor> select_platform(const Index& index, const Platform& want) {
  for (const auto& d : index.manifests) {
    if (!d.platform) continue;
    const Platform& p = *d.platform;
    if (p.os != want.os || p.architecture != want.architecture) continue;
    if (!p.variant.empty() && !want.variant.empty() && p.variant != want.variant) continue;
    return d;
  }
  return std::nullopt;
}

bool is_layer_media_type(std::string_view t) {
  return t == media::kOciLayer || t == media::kOciLayerGzip || t == media::kOciLayerZstd ||
         t == media::kDockerLayer || t == media::kDockerLayerGzip ||
         t == "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip" ||
         t == "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
}

}  // namespace stack::image
