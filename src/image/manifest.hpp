// Image manifests, indexes and descriptors in the OCI and Docker v2 schemas, which differ only in
// media types. Parsing is strict about what the store relies on and ignores the rest.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "image/digest.hpp"

namespace stack::image {

namespace media {
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
}  // namespace media

inline constexpr std::string_view kRefNameAnnotation = "org.opencontainers.image.ref.name";
inline constexpr std::string_view kContainerdNameAnnotation = "io.containerd.image.name";

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
};

// The platform this binary runs containers for (linux/amd64 on x86-64).
Platform host_platform();

struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;
};

struct Manifest {
  std::string media_type;
  Descriptor config;
  std::vector<Descriptor> layers;
};

struct Index {
  std::string media_type;
  std::vector<Descriptor> manifests;
};

enum class DocumentKind { manifest, index };

// From mediaType, or from the shape when mediaType is absent (allowed by the OCI spec).
Result<DocumentKind> document_kind(std::string_view json);
Result<Manifest> parse_manifest(std::string_view json);
Result<Index> parse_index(std::string_view json);
// Canonical JSON of a manifest the store makes itself (docker save archives, imports).
std::string manifest_to_json(const Manifest& m);

// The entry for want (os and architecture; variant when both have one), or none.
std::optional<Descriptor> select_platform(const Index& index, const Platform& want);

bool is_layer_media_type(std::string_view media_type);

}  // namespace stack::image
