#include "runtime/container/config.hpp"

#include <nlohmann/json.hpp>

#include "runtime/container/device_access.hpp"
#include "runtime/container/rlimits.hpp"
#include "runtime/container/sysctl.hpp"
#include "runtime/security/capabilities.hpp"

// An unset optional is null in the JSON (nlohmann has no std::optional support in this version).
template <>
struct nlohmann::adl_serializer<std::optional<int>> {
  static void to_json(json& j, const std::optional<int>& v) { j = v ? json(*v) : json(nullptr); }
  static void from_json(const json& j, std::optional<int>& v) {
    v = j.is_null() ? std::nullopt : std::optional<int>(j.get<int>());
  }
};

namespace stack::runtime {

using util::Errc;
using util::Error;

std::vector<std::string> default_masked_paths() {
  // Docker's defaults: kernel memory, key material and timing side channels.
  return {"/proc/asound",        "/proc/acpi",          "/proc/kcore",
          "/proc/keys",          "/proc/latency_stats", "/proc/timer_list",
          "/proc/timer_stats",   "/proc/sched_debug",   "/proc/scsi",
          "/sys/firmware",       "/sys/devices/virtual/powercap"};
}

std::vector<std::string> default_readonly_paths() {
  return {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
}

namespace {

void check_rootfs(const RootfsConfig& r, std::vector<std::string>& problems) {
  bool overlay = !r.lower_layers.empty();
  if (overlay == !r.directory.empty()) {
    problems.push_back("rootfs: give either lower layers or a directory");
  }
  if (overlay && r.merged_dir.empty()) problems.push_back("rootfs: overlay needs a merged dir");
  if (overlay && r.upper_dir.empty() != r.work_dir.empty()) {
    problems.push_back("rootfs: upper and work dirs go together");
  }
}

void check_mounts(const ContainerConfig& c, std::vector<std::string>& problems) {
  for (const auto& m : c.mounts) {
    if (m.destination.empty() || m.destination.front() != '/') {
      problems.push_back("mount destination '" + m.destination + "' is not absolute");
    }
    if (m.type == MountType::image && m.image_layers.empty()) {
      problems.push_back("image mount '" + m.destination + "' has no layers");
    }
    if (m.type != MountType::tmpfs && m.type != MountType::image && m.source.empty()) {
      problems.push_back("mount '" + m.destination + "' has no source");
    }
  }
}

}  // namespace

Result<void> validate(const ContainerConfig& c) {
  std::vector<std::string> problems;
  if (c.args.empty()) problems.push_back("no command to run");
  if (c.cwd.empty() || c.cwd.front() != '/') problems.push_back("cwd '" + c.cwd + "' is not absolute");
  if (c.network.mode == NetworkMode::join && c.network.join_path.empty()) {
    problems.push_back("network: join needs a namespace path");
  }
  for (auto [name, share] : {std::pair{"ipc", &c.ipc}, std::pair{"pid", &c.pid}, std::pair{"uts", &c.uts}}) {
    if (share->mode == ShareMode::join && share->join_path.empty()) {
      problems.push_back(std::string(name) + ": join needs a namespace path");
    }
  }
  check_rootfs(c.rootfs, problems);
  check_mounts(c, problems);
  if (auto r = check_sysctls(c.sysctls, c.network.mode, c.ipc.mode == ShareMode::host); !r) {
    problems.push_back(r.error().message());
  }
  if (c.uts.mode != ShareMode::own && (!c.hostname.empty() || !c.domainname.empty())) {
    problems.push_back("hostname: not with a shared UTS namespace (it would rename the host or another container)");
  }
  if (auto r = check_rlimits(c.rlimits); !r) problems.push_back(r.error().message());
  if (auto r = allowed_devices(c); !r) problems.push_back(r.error().message());
  if (c.oom_score_adj && (*c.oom_score_adj < -1000 || *c.oom_score_adj > 1000)) {
    problems.push_back("oom_score_adj " + std::to_string(*c.oom_score_adj) + " is out of range -1000..1000");
  }
  if (auto r = security::compute_capabilities(c.security.capabilities); !r) {
    problems.push_back(r.error().message());
  }
  if (problems.empty()) return util::ok();
  std::string msg;
  for (const auto& p : problems) msg += (msg.empty() ? "" : "; ") + p;
  return Error(Errc::invalid_argument, msg);
}

NLOHMANN_JSON_SERIALIZE_ENUM(NetworkMode, {{NetworkMode::own, "own"},
                                           {NetworkMode::host, "host"},
                                           {NetworkMode::none, "none"},
                                           {NetworkMode::join, "join"}})
NLOHMANN_JSON_SERIALIZE_ENUM(ShareMode, {{ShareMode::own, "own"}, {ShareMode::host, "host"}, {ShareMode::join, "join"}})
NLOHMANN_JSON_SERIALIZE_ENUM(MountType, {{MountType::bind, "bind"},
                                         {MountType::volume, "volume"},
                                         {MountType::tmpfs, "tmpfs"},
                                         {MountType::image, "image"}})
NLOHMANN_JSON_SERIALIZE_ENUM(SeccompMode, {{SeccompMode::default_profile, "default"},
                                           {SeccompMode::unconfined, "unconfined"}})

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RootfsConfig, lower_layers, directory, upper_dir,
                                                work_dir, merged_dir)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(NetworkConfig, mode, join_path)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(NamespaceShare, mode, join_path, container)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MountConfig, type, source, destination, read_only,
                                                tmpfs_size, tmpfs_mode, tmpfs_options, image_layers, image_subpath)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EtcFiles, hosts, hostname, resolv_conf)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Rlimit, soft, hard)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DeviceNode, path, type, major, minor, file_mode, uid, gid, access)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CapabilityConfig, add, drop, privileged)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SecurityConfig, capabilities, no_new_privileges,
                                                seccomp, seccomp_program_file, seccomp_program_caps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ContainerConfig, id, rootfs, read_only, args, env,
                                                cwd, user, additional_groups, hostname, domainname,
                                                network, ipc, pid, uts, host_cgroupns, tty, mounts,
                                                etc_files, shm_size, rlimits, sysctls, devices,
                                                device_cgroup_rules, oom_score_adj, security,
                                                init, masked_paths, readonly_paths, stdin_fd,
                                                stdout_fd, stderr_fd)

std::string encode_config(const ContainerConfig& config) { return nlohmann::json(config).dump(); }

Result<ContainerConfig> decode_config(const std::string& text) {
  // nlohmann throws; the exception stays inside this function.
  try {
    return config_from_json(nlohmann::json::parse(text));
  } catch (const nlohmann::json::exception& e) {
    return Error(Errc::parse, std::string("container config: ") + e.what());
  }
}

Result<ContainerConfig> config_from_json(const nlohmann::json& document) {
  try {
    return document.get<ContainerConfig>();
  } catch (const nlohmann::json::exception& e) {
    return Error(Errc::parse, std::string("container config: ") + e.what());
  }
}

}  // namespace stack::runtime
