// Pulling images from a registry (OCI distribution API v2) into the store, and the pull policy
// that `up` applies. The scheduler and the CLI call these; everything below is in image/registry/.
//
//   image::PullOptions options{.progress = draw};
//   STACK_ASSIGN_OR_RETURN(image::Image img,
//       image::ensure_image(*store, "redis:7", image::PullPolicy::missing, options));
//
// Errors read "pull docker.io/library/redis:7: 401 unauthorized: authentication required".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "image/digest.hpp"
#include "image/registry/credentials.hpp"
#include "image/store.hpp"

namespace stack::image {

// compose's pull_policy: always, missing (= if_not_present), never.
enum class PullPolicy { always, missing, never };
// "always", "missing", "if_not_present", "never"; anything else is an error naming the text.
Result<PullPolicy> parse_pull_policy(std::string_view text);

struct PullEvent {
  enum class Kind {
    resolving,    // fetching the manifest (blob empty)
    waiting,      // a blob queued for download
    downloading,  // current of total bytes
    exists,       // already in the store: reused, nothing downloaded
    done,         // downloaded and verified
    failed,
  };
  Kind kind = Kind::resolving;
  std::string ref;  // fully qualified reference being pulled
  Digest blob;      // the blob (config or layer) the event is about
  bool is_config = false;
  uint64_t current = 0;  // bytes of the blob stored so far (a resumed prefix included)
  uint64_t total = 0;    // blob size from the manifest
};

// Called from the pull's download threads, never two calls at once.
using PullProgress = std::function<void(const PullEvent&)>;

struct PullOptions {
  PullProgress progress;
  // Registries reached over plain http, besides loopback ones and STACK_INSECURE_REGISTRIES.
  std::vector<std::string> insecure;
  // Overrides the docker config (~/.docker/config.json or $DOCKER_CONFIG/config.json).
  std::optional<registry::Credentials> credentials;
  int max_concurrent_downloads = 3;
  int retries = 2;  // per blob, after a transfer error; each retry resumes with a Range request
};

struct PullStats {
  size_t requests = 0;          // HTTP requests, token requests included
  size_t blobs_downloaded = 0;
  size_t blobs_reused = 0;      // already in the store
  uint64_t bytes_downloaded = 0;
};

struct PullResult {
  Image image;
  PullStats stats;
};

// Fetches ref's manifest (an index or manifest list resolves to this machine's platform), every
// blob not yet in the store (verified while streaming; an interrupted download resumes), then
// records and tags the image.
Result<PullResult> pull_image(Store& store, std::string_view ref, const PullOptions& options);
Result<Image> pull(Store& store, std::string_view ref, const PullOptions& options);

// The image for ref under policy: always pulls; missing pulls when the store has no such image;
// never fails when it has none ("image 'x' is not in the store and pull_policy is never").
Result<Image> ensure_image(Store& store, std::string_view ref, PullPolicy policy, const PullOptions& options);

}  // namespace stack::image
