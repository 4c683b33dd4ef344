// ShimConfig: what one shim runs and how it supervises it, written by the Runtime to
// <root>/containers/<id>/config.json and read by `stack shim`. Plain data and its JSON form; the
// container part reuses ContainerConfig's own encoding.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "net/proxy/forward.hpp"
#include "runtime/cgroup/limits.hpp"
#include "runtime/container/config.hpp"

namespace stack::runtime::shim {

using Nanos = std::chrono::nanoseconds;

enum class RestartMode { no, always, on_failure, unless_stopped };

struct RestartPolicy {
  RestartMode mode = RestartMode::no;
  int max_retries = 0;  // on-failure only; 0 means no limit, as docker
  bool operator==(const RestartPolicy&) const = default;
};

struct LogOptions {
  std::int64_t max_size = 0;  // bytes per file; 0: never rotate
  int max_file = 1;           // files kept, the live one included
  bool operator==(const LogOptions&) const = default;
};

enum class HealthTestKind { cmd, cmd_shell };

// What the shim does when the container becomes unhealthy (podman's --health-on-failure): kill it
// (its restart policy decides what follows), restart it whatever the policy, or stop it.
enum class HealthAction { none, kill, restart, stop };

struct HealthCheck {
  HealthTestKind kind = HealthTestKind::cmd;
  std::vector<std::string> test;  // CMD: argv; CMD-SHELL: one shell string
  Nanos interval = std::chrono::seconds(30);
  Nanos timeout = std::chrono::seconds(30);
  int retries = 3;
  Nanos start_period{0};
  Nanos start_interval = std::chrono::seconds(5);
  HealthAction on_failure = HealthAction::none;
  bool operator==(const HealthCheck&) const = default;
};

struct ShimConfig {
  ContainerConfig container;
  std::string cgroup_path;  // "stack/<project>/<name>"
  cgroup::Limits limits;
  RestartPolicy restart;
  int stop_signal = 15;  // SIGTERM
  Nanos stop_grace_period = std::chrono::seconds(10);
  LogOptions log;
  std::optional<HealthCheck> healthcheck;
  // Published ports; target_ip is the container's address on its first network.
  std::vector<net::proxy::Forward> ports;
  // stdin is a pipe the shim keeps open (a read waits, as under `docker run -i`), not /dev/null.
  // With container.tty the terminal is stdin already.
  bool stdin_open = false;
  // Opaque to the runtime: who made the container (project, service, replica, config hash).
  std::map<std::string, std::string> labels;
};

// "no", "always", "on-failure", "on-failure:3", "unless-stopped".
util::Result<RestartPolicy> parse_restart_policy(std::string_view text);
std::string format_restart_policy(const RestartPolicy& policy);

// "SIGTERM", "TERM", "15" -> 15.
util::Result<int> parse_signal(std::string_view text);

std::string encode_shim_config(const ShimConfig& config);
util::Result<ShimConfig> decode_shim_config(const std::string& text);

}  // namespace stack::runtime::shim
