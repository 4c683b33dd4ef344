// Pushing an image from the store to a registry (OCI distribution API v2), as `docker push` does:
// every blob the registry lacks is uploaded, then the manifest, byte for byte as stored, so that
// the image keeps its digest. The CLI calls this; the protocol is in image/registry/client.hpp.
//
// Errors read "push 127.0.0.1:5000/x/y:1: 401 unauthorized: authentication required".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "image/blob_store.hpp"
#include "image/digest.hpp"
#include "image/reference.hpp"
#include "image/registry/credentials.hpp"
#include "image/store.hpp"

namespace stack::image {

struct PushEvent {
  enum class Kind {
    pushing,  // upload started
    pushed,   // uploaded
    exists,   // the registry had it already: nothing sent
  };
  Kind kind = Kind::pushing;
  Digest blob;
  bool is_config = false;
  uint64_t size = 0;
};

using PushProgress = std::function<void(const PushEvent&)>;

struct PushOptions {
  PushProgress progress;
  // Registries reached over plain http, besides loopback ones and STACK_INSECURE_REGISTRIES.
  std::vector<std::string> insecure;
  // Overrides the docker config (~/.docker/config.json or $DOCKER_CONFIG/config.json).
  std::optional<registry::Credentials> credentials;
};

struct PushResult {
  std::string tag;       // "latest"
  Digest digest;         // of the manifest pushed (the stored one)
  uint64_t size = 0;     // manifest bytes
  size_t blobs_pushed = 0;
  size_t blobs_existing = 0;
};

// Pushes the local image named ref ("name[:tag]", fully qualified or familiar) to its registry.
// An image absent from the store is an error (Errc::not_found); so is a reference by digest.
Result<PushResult> push_image(Store& store, std::string_view ref, const PushOptions& options);

// Pushes the manifest body (an image manifest, not an index) under ref's tag, its config and
// layers read from blobs, which must hold them (the caller keeps a prune away, as an ingest does);
// what push_image does once it has found the image. A build's registry cache uses it
// (build/registry_cache.hpp). Errors are not prefixed with the reference.
Result<PushResult> push_manifest(const BlobStore& blobs, const Reference& ref, const std::string& body,
                                 const PushOptions& options);

}  // namespace stack::image
