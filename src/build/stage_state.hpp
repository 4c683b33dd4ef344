// A stage while it is built: its layers, the image config document it will become (kept as JSON
// so that fields stack does not model, such as OnBuild or history, pass through unchanged), its
// cache key so far and the ARGs in scope. The helpers edit the "config" section as the Dockerfile
// instructions do; commit_image() writes the config and manifest and records the image.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "build/shell_lex.hpp"
#include "image/manifest.hpp"
#include "image/store.hpp"

namespace stack::build {

struct StageState {
  std::vector<image::LayerInfo> layers;  // bottom first
  nlohmann::json config;                 // the whole image config document
  std::string key;                       // cache key after the last step
  Vars args;                             // ARGs declared in this stage that have a value
  bool cmd_set = false;                  // CMD given in this stage (ENTRYPOINT then keeps it)
};

inline constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// An empty linux/amd64 config (FROM scratch).
StageState scratch_state();
// From a stored image: its config blob as it is, minus the fields of the container that made it.
Result<StageState> image_state(const image::Image& image, const image::BlobStore& blobs);

nlohmann::json& run_section(StageState& s);
const nlohmann::json& run_section(const StageState& s);
std::vector<std::string> env_list(const StageState& s);
void set_env(StageState& s, const std::string& key, const std::string& value);
// What $VAR means in an instruction: ARGs, overridden by ENV.
Vars expansion_vars(const StageState& s);
// The environment of a RUN: ENV, plus the ARGs ENV does not set, plus PATH if nothing sets it.
std::vector<std::string> run_env(const StageState& s);
std::vector<std::string> shell_of(const StageState& s);  // SHELL, default ["/bin/sh", "-c"]
std::string working_dir(const StageState& s);            // "/" when unset
std::string str_field(const StageState& s, const char* key);

// "1970-01-01T00:00:00Z" for 0.
std::string rfc3339(int64_t epoch);
void add_history(StageState& s, const std::string& created_by, bool empty_layer, int64_t epoch);

// The field of an image's config that holds its inline build cache (build/registry_cache.hpp);
// an image built FROM it does not inherit it.
inline constexpr const char* kInlineCacheField = "stack.build.cache.v1";

// A layer as a manifest names it (a layer of no media type is a gzip one).
image::Descriptor layer_descriptor(const image::LayerInfo& layer);

// Writes config and manifest into the ingest's blob store and records the image with its tags
// ("name:tag" keys, fully qualified).
Result<image::ImageRef> commit_image(image::Ingest& ingest, StageState state, int64_t epoch,
                                     const std::vector<std::string>& tag_keys);

}  // namespace stack::build
