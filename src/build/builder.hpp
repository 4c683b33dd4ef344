// Builds an image from a Dockerfile with stack's own runtime and content store:
//
//   build::BuildOptions o{.root = "/var/lib/stack", .context_dir = "app", .tags = {"app:1"}};
//   STACK_ASSIGN_OR_RETURN(build::BuildResult r, build::build_image(*store, o, on_event));
//
// Everything the Dockerfile names is checked before any step runs (syntax, stages, --target,
// base images present in the store, COPY sources inside the context). RUN steps run in
// containers (run_step.hpp), COPY and ADD write their layers directly (copy_layer.hpp), every
// other instruction edits the config. Each RUN/COPY/ADD is looked up in the step cache first.
// Tags are set only when the whole build succeeded; a failed build leaves only verified blobs
// that no image names (prune collects them) and its cache entries.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "build/named_context.hpp"
#include "image/store.hpp"
#include "util/build_cache_option.hpp"

namespace stack::build {

// Why --network NAME is refused: a build joins no network of a project (BuildKit refuses a
// network's name too: "network mode not supported by buildkit").
inline constexpr std::string_view kBuildNetworkModes =
    "a build cannot join a network: RUN steps run on none, default (a bridge of the build's own) or host, as with "
    "BuildKit, which refuses a network's name";

using util::Result;

struct BuildOptions {
  std::string root;         // the state root: images/, build-cache/, builds/ (RUN scratch)
  std::string context_dir;
  std::string dockerfile;   // "" = <context>/Dockerfile
  std::string dockerfile_text;  // the Dockerfile itself (compose's dockerfile_inline), if not ""
  std::map<std::string, std::string> build_args;
  std::string target;       // "" = the last stage
  bool no_cache = false;
  std::string network = "default";  // none | default (a bridge, build_network.hpp) | host
  bool ip_masq = true;              // the build network masquerades outbound traffic
  std::string network_pool;         // CIDR the build network's subnet comes from; "" = kDefaultBuildPool
  std::map<std::string, std::string> labels;
  std::vector<std::string> tags;    // "name[:tag]"
  bool pull = false;                // pull every base image from its registry first
  std::vector<std::pair<std::string, std::string>> extra_hosts;  // (name, address) for RUN steps
  int64_t shm_size = 0;             // /dev/shm of RUN steps in bytes; 0 = the runtime's default
  int64_t source_date_epoch = 0;
  std::map<std::string, std::string> secrets;  // RUN --mount=type=secret: id -> content
  std::map<std::string, std::string> ssh;      // RUN --mount=type=ssh: id -> an agent's socket
  NamedContexts contexts;                      // --build-context NAME=VALUE (named_context.hpp)
  // --cache-from and --cache-to (util/build_cache_option.hpp): a directory (build/exported_cache.hpp,
  // absolute) or a registry's tag (build/registry_cache.hpp).
  std::vector<util::CacheOption> cache_from;
  std::vector<util::CacheOption> cache_to;
};

struct BuildEvent {
  enum class Type { step, cached, output, step_done, warning };
  Type type = Type::step;
  int step = 0;            // 1-based over the steps of the stages built
  int total = 0;
  std::string text;        // step: "[builder 2/5] RUN make"; warning: the line
  std::string_view data;   // output: bytes of a RUN's stdout and stderr
  std::chrono::duration<double> elapsed{0};  // step_done
};

using BuildProgress = std::function<void(const BuildEvent&)>;

struct BuildResult {
  image::ImageRef image;
  int steps = 0;
  int cached = 0;   // RUN/COPY/ADD steps taken from the cache
  int executed = 0; // RUN/COPY/ADD steps that ran
};

Result<BuildResult> build_image(image::Store& store, const BuildOptions& options, const BuildProgress& progress);

}  // namespace stack::build
