// How one replica of a service becomes what the runtime runs: a pure translation of the service,
// the image's config and the host-side facts the executor decided (layers, netns, addresses,
// ports, volume directories) into a shim::ShimConfig. No syscalls; unit-tested without root.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "image/image_config.hpp"
#include "runtime/shim/shim_config.hpp"
#include "spec/model.hpp"
#include "util/result.hpp"

namespace stack::scheduler {

// Labels every container carries (compose's keys, so that tools reading them keep working).
inline constexpr const char* kLabelProject = "com.docker.compose.project";
inline constexpr const char* kLabelService = "com.docker.compose.service";
inline constexpr const char* kLabelNumber = "com.docker.compose.container-number";
inline constexpr const char* kLabelConfigHash = "com.docker.compose.config-hash";
inline constexpr const char* kLabelOneOff = "com.docker.compose.oneoff";
inline constexpr const char* kLabelImage = "stack.image";
// "stack.network.<network name>" = the container's IPv4 address on it.
inline constexpr const char* kLabelNetworkPrefix = "stack.network.";
inline constexpr const char* kLabelNetwork6Prefix = "stack.network6.";  // the IPv6 address, if any

struct Placement {
  std::string project;
  std::string name;  // container name (= runtime id)
  int number = 1;
  std::string config_hash;
  bool one_off = false;
  std::string image_ref;
  std::vector<std::string> layer_dirs;  // top first
  runtime::NetworkConfig network;
  std::string etc_dir;  // holds hosts, hostname, resolv.conf; "" = the image's own
  // Named volume key -> host directory; anonymous volumes by container target path.
  std::map<std::string, std::string> volume_dirs;
  std::map<std::string, std::string> anonymous_volume_dirs;
  // type image mounts: container path -> the image's layer directories, top first.
  std::map<std::string, std::vector<std::string>> image_mount_layers;
  // volumes_from: another service's mounts, resolved by the caller, after the service's own.
  std::vector<runtime::MountConfig> inherited_mounts;
  // Secret and config container path -> the host file written for it (mounted read-only).
  std::map<std::string, std::string> file_mount_sources;
  std::map<std::string, std::string> addresses;  // network name -> IPv4
  std::map<std::string, std::string> addresses6;  // network name -> IPv6 (enable_ipv6 networks)
  std::vector<net::proxy::Forward> ports;
  // Block device path -> major:minor, for blkio per-device limits (looked up by the caller).
  std::map<std::string, std::pair<uint32_t, uint32_t>> devices;
  // The host nodes of compose `devices`, looked up by the caller (host_devices.hpp).
  std::vector<runtime::DeviceNode> device_nodes;
  // ipc, pid, uts: own, the host's, or another container's (joined by the shim at each start).
  runtime::NamespaceShare ipc, pid, uts;
};

// What the service overrides of the image config.
image::RunOverrides run_overrides(const spec::Service& service);

// The shim's health check from the combined config; nullopt when none or disabled ("NONE").
std::optional<runtime::shim::HealthCheck> shim_healthcheck(const image::RunConfig& run);

util::Result<runtime::shim::ShimConfig> make_shim_config(const spec::Service& service,
                                                         const image::RunConfig& run,
                                                         const Placement& placement);

// A container's anonymous volume for a container path: "<container>_<12 hex of sha256(target)>",
// the same for the container's next incarnation, and found by volumes_from.
std::string anonymous_volume_name(const std::string& container, const std::string& target);

// The cgroup of a container: "stack/<project>/<name>".
std::string cgroup_path(const std::string& project, const std::string& name);

}  // namespace stack::scheduler
