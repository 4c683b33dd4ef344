#include "image/image_config.hpp"

#include <nlohmann/json.hpp>

namespace stack::image {

using nlohmann::json;
using util::Errc;
using util::fail;

namespace {

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Docker's StrSlice: a list, a single string, or null.
std::vector<std::string> str_list(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  if (it->is_string()) return {it->get<std::string>()};
  std::vector<std::string> out;
  if (it->is_array()) {
    for (const auto& v : *it) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

// {"80/tcp": {}} -> {"80/tcp"}
std::set<std::string> key_set(const json& j, const char* key) {
  std::set<std::string> out;
  auto it = j.find(key);
  if (it != j.end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) out.insert(k);
  }
  return out;
}

std::chrono::nanoseconds ns(const json& j, const char* key) {
  auto it = j.find(key);
  return std::chrono::nanoseconds(it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0);
}

Healthcheck parse_healthcheck(const json& h) {
  Healthcheck hc;
  hc.test = str_list(h, "Test");
  hc.interval = ns(h, "Interval");
  hc.timeout = ns(h, "Timeout");
  hc.start_period = ns(h, "StartPeriod");
  hc.start_interval = ns(h, "StartInterval");
  if (auto it = h.find("Retries"); it != h.end() && it->is_number_integer()) hc.retries = it->get<int>();
  return hc;
}

void parse_run_section(const json& c, ImageConfig& out) {
  out.entrypoint = str_list(c, "Entrypoint");
  out.cmd = str_list(c, "Cmd");
  out.env = str_list(c, "Env");
  out.working_dir = str(c, "WorkingDir");
  out.user = str(c, "User");
  out.stop_signal = str(c, "StopSignal");
  out.exposed_ports = key_set(c, "ExposedPorts");
  out.volumes = key_set(c, "Volumes");
  if (auto it = c.find("Labels"); it != c.end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) {
      if (v.is_string()) out.labels[k] = v.get<std::string>();
    }
  }
  if (auto it = c.find("Healthcheck"); it != c.end() && it->is_object()) {
    out.healthcheck = parse_healthcheck(*it);
  }
}

Result<void> parse_diff_ids(const json& j, ImageConfig& out) {
  auto rootfs = j.find("rootfs");
  if (rootfs == j.end() || !rootfs->is_object()) return fail(Errc::parse, "image config has no rootfs");
  for (const auto& id : str_list(*rootfs, "diff_ids")) {
    auto d = Digest::parse(id);
    if (!d) return std::move(d).error().context("image config rootfs.diff_ids");
    out.diff_ids.push_back(*d);
  }
  return util::ok();
}

Healthcheck merge_healthcheck(Healthcheck user, const std::optional<Healthcheck>& image) {
  if (!image) return user;
  if (user.test.empty()) user.test = image->test;
  if (user.interval.count() == 0) user.interval = image->interval;
  if (user.timeout.count() == 0) user.timeout = image->timeout;
  if (user.start_period.count() == 0) user.start_period = image->start_period;
  if (user.start_interval.count() == 0) user.start_interval = image->start_interval;
  if (user.retries == 0) user.retries = image->retries;
  return user;
}

std::vector<std::string> merge_env(const std::vector<std::string>& image,
                                   const std::vector<std::pair<std::string, std::string>>& user) {
  std::vector<std::string> out;
  std::set<std::string, std::less<>> keys;
  for (const auto& [k, v] : user) {
    out.push_back(k + "=" + v);
    keys.insert(k);
  }
  for (const auto& entry : image) {
    if (keys.find(env_key(entry)) == keys.end()) out.push_back(entry);
  }
  return out;
}

}  // namespace

Result<ImageConfig> parse_image_config(std::string_view text) {
  try {
    json j = json::parse(text);
    if (!j.is_object()) return fail(Errc::parse, "image config is not a JSON object");
    ImageConfig out;
    out.os = str(j, "os");
    out.architecture = str(j, "architecture");
    out.created = str(j, "created");
    if (auto it = j.find("config"); it != j.end() && it->is_object()) parse_run_section(*it, out);
    STACK_TRY(parse_diff_ids(j, out));
    return out;
  } catch (const json::exception& e) {
    return fail(Errc::parse, std::string("image config: ") + e.what());
  }
}

std::string_view env_key(std::string_view entry) { return entry.substr(0, entry.find('=')); }

std::vector<std::string> RunConfig::argv() const {
  std::vector<std::string> out = entrypoint;
  out.insert(out.end(), cmd.begin(), cmd.end());
  return out;
}

RunConfig combine(const ImageConfig& image, const RunOverrides& o) {
  RunConfig r;
  if (o.entrypoint) {
    r.entrypoint = *o.entrypoint;
    r.cmd = o.command.value_or(std::vector<std::string>{});
  } else {
    r.entrypoint = image.entrypoint;
    r.cmd = o.command ? *o.command : image.cmd;
  }
  r.env = o.environment.empty() ? image.env : merge_env(image.env, o.environment);
  r.working_dir = o.working_dir.value_or(image.working_dir);
  r.user = o.user.value_or(image.user);
  r.stop_signal = o.stop_signal.value_or(image.stop_signal);
  r.labels = image.labels;
  for (const auto& [k, v] : o.labels) r.labels[k] = v;
  r.exposed_ports = image.exposed_ports;
  r.exposed_ports.insert(o.exposed_ports.begin(), o.exposed_ports.end());
  r.volumes = image.volumes;
  r.volumes.insert(o.volumes.begin(), o.volumes.end());
  r.healthcheck = o.healthcheck ? merge_healthcheck(*o.healthcheck, image.healthcheck) : image.healthcheck;
  return r;
}

}  // namespace stack::image
