#include "build/stage_state.hpp"

#include <ctime>
#include <set>

#include "image/manifest.hpp"

namespace stack::build {

using nlohmann::json;

StageState scratch_state() {
  image::Platform p = image::host_platform();
  StageState s;
  s.config = {{"architecture", p.architecture}, {"os", p.os}, {"config", json::object()},
              {"rootfs", {{"type", "layers"}, {"diff_ids", json::array()}}}, {"history", json::array()}};
  return s;
}

Result<StageState> image_state(const image::Image& image, const image::BlobStore& blobs) {
  STACK_ASSIGN_OR_RETURN(std::string text, blobs.read(image.id));
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return util::fail(util::Errc::parse, "image config " + image.id.short_str() + " is not JSON");
  for (const char* k : {"container", "container_config", "docker_version", "created", kInlineCacheField}) j.erase(k);
  if (!j.contains("config") || !j["config"].is_object()) j["config"] = json::object();
  if (!j.contains("history") || !j["history"].is_array()) j["history"] = json::array();
  StageState s;
  s.config = std::move(j);
  s.layers = image.layers;
  return s;
}

json& run_section(StageState& s) { return s.config["config"]; }
const json& run_section(const StageState& s) { return s.config.at("config"); }

std::string str_field(const StageState& s, const char* key) {
  const json& c = run_section(s);
  auto it = c.find(key);
  return it != c.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> env_list(const StageState& s) {
  std::vector<std::string> out;
  const json& c = run_section(s);
  if (auto it = c.find("Env"); it != c.end() && it->is_array()) {
    for (const auto& v : *it) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

void set_env(StageState& s, const std::string& key, const std::string& value) {
  std::vector<std::string> env = env_list(s);
  bool replaced = false;
  for (auto& e : env) {
    if (e.substr(0, e.find('=')) == key) {
      e = key + "=" + value;
      replaced = true;
    }
  }
  if (!replaced) env.push_back(key + "=" + value);
  run_section(s)["Env"] = env;
}

Vars expansion_vars(const StageState& s) {
  Vars v = s.args;
  for (const auto& e : env_list(s)) {
    size_t eq = e.find('=');
    v[e.substr(0, eq)] = eq == std::string::npos ? "" : e.substr(eq + 1);
  }
  return v;
}

std::vector<std::string> run_env(const StageState& s) {
  std::vector<std::string> env = env_list(s);
  std::set<std::string> keys;
  for (const auto& e : env) keys.insert(e.substr(0, e.find('=')));
  for (const auto& [k, v] : s.args) {
    if (keys.insert(k).second) env.push_back(k + "=" + v);
  }
  if (!keys.count("PATH")) env.push_back(std::string("PATH=") + kDefaultPath);
  return env;
}

std::vector<std::string> shell_of(const StageState& s) {
  const json& c = run_section(s);
  if (auto it = c.find("Shell"); it != c.end() && it->is_array() && !it->empty()) {
    return it->get<std::vector<std::string>>();
  }
  return {"/bin/sh", "-c"};
}

std::string working_dir(const StageState& s) {
  std::string w = str_field(s, "WorkingDir");
  return w.empty() ? "/" : w;
}

std::string rfc3339(int64_t epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void add_history(StageState& s, const std::string& created_by, bool empty_layer, int64_t epoch) {
  json h = {{"created", rfc3339(epoch)}, {"created_by", created_by}, {"comment", "stack image build"}};
  if (empty_layer) h["empty_layer"] = true;
  s.config["history"].push_back(std::move(h));
}

image::Descriptor layer_descriptor(const image::LayerInfo& layer) {
  image::Descriptor d;
  d.media_type = layer.media_type.empty() ? std::string(image::media::kOciLayerGzip) : layer.media_type;
  d.digest = layer.blob;
  d.size = layer.size;
  return d;
}

Result<image::ImageRef> commit_image(image::Ingest& ingest, StageState state, int64_t epoch,
                                     const std::vector<std::string>& tag_keys) {
  const image::BlobStore& blobs = ingest.blobs();
  json diff_ids = json::array();
  for (const auto& l : state.layers) diff_ids.push_back(l.diff_id.str());
  state.config["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  state.config["created"] = rfc3339(epoch);
  std::string config_text = state.config.dump();
  STACK_ASSIGN_OR_RETURN(image::Digest config, blobs.write(config_text));
  image::Manifest m;
  m.media_type = image::media::kOciManifest;
  m.config.media_type = image::media::kOciConfig;
  m.config.digest = config;
  m.config.size = static_cast<int64_t>(config_text.size());
  for (const auto& l : state.layers) m.layers.push_back(layer_descriptor(l));
  STACK_ASSIGN_OR_RETURN(image::Digest manifest, blobs.write(image::manifest_to_json(m)));
  return ingest.commit(manifest, tag_keys);
}

}  // namespace stack::build
