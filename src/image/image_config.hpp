// The image config (what `docker inspect` shows under Config) and how a service's settings combine
// with it. combine() is pure and follows dockerd's merge rules (daemon/commit.go merge()):
//   - command replaces Cmd;
//   - entrypoint replaces Entrypoint and clears Cmd unless command is also given;
//   - environment entries come first and override image Env by key, image entries follow;
//   - working_dir, user and stop_signal override when set;
//   - labels, exposed ports and volumes are unions (the service wins on a label key);
//   - a healthcheck override takes unset fields (empty test, zero durations, zero retries) from the
//     image's healthcheck.
// The caller (scheduler) maps a spec::Service to RunOverrides: image/ knows nothing of services.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "image/digest.hpp"

namespace stack::image {

struct Healthcheck {
  // ["NONE"] disables; ["CMD", args...] or ["CMD-SHELL", "cmd"]; empty = inherit.
  std::vector<std::string> test;
  std::chrono::nanoseconds interval{0};
  std::chrono::nanoseconds timeout{0};
  std::chrono::nanoseconds start_period{0};
  std::chrono::nanoseconds start_interval{0};
  int retries = 0;

  bool operator==(const Healthcheck&) const = default;
};

struct ImageConfig {
  std::string os;
  std::string architecture;
  std::string created;  // RFC 3339, as in the config
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "KEY=value"
  std::string working_dir;
  std::string user;
  std::string stop_signal;
  std::set<std::string> exposed_ports;  // "80/tcp"
  std::set<std::string> volumes;
  std::map<std::string, std::string> labels;
  std::optional<Healthcheck> healthcheck;
  std::vector<Digest> diff_ids;  // rootfs.diff_ids, bottom layer first

  bool operator==(const ImageConfig&) const = default;
};

Result<ImageConfig> parse_image_config(std::string_view json);

// What a service may override. nullopt = not set (inherit); an empty vector is set-to-empty.
struct RunOverrides {
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> command;
  std::vector<std::pair<std::string, std::string>> environment;  // in the service's order
  std::optional<std::string> working_dir;
  std::optional<std::string> user;
  std::optional<std::string> stop_signal;
  std::map<std::string, std::string> labels;
  std::set<std::string> exposed_ports;
  std::set<std::string> volumes;
  std::optional<Healthcheck> healthcheck;
};

// What the runtime starts: argv = entrypoint + cmd.
struct RunConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;
  std::string working_dir;  // "" = "/"
  std::string user;         // "" = root
  std::string stop_signal;  // "" = SIGTERM
  std::map<std::string, std::string> labels;
  std::set<std::string> exposed_ports;
  std::set<std::string> volumes;
  std::optional<Healthcheck> healthcheck;

  std::vector<std::string> argv() const;
  bool operator==(const RunConfig&) const = default;
};

RunConfig combine(const ImageConfig& image, const RunOverrides& overrides);

// "KEY=value" -> "KEY"; "KEY" -> "KEY".
std::string_view env_key(std::string_view entry);

}  // namespace stack::image
