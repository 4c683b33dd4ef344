// ContainerConfig: everything the runtime needs to start one container, as plain data. The runtime
// does not know about stacks or services: src/scheduler (through the shim) translates a service
// into this struct. The parent sends it to the container process as JSON over a socketpair.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace stack::runtime {

using util::Result;

struct RootfsConfig {
  std::vector<std::string> lower_layers;  // overlayfs lower dirs, read-only, top first
  std::string directory;                  // or a plain directory used as the root, as is
  std::string upper_dir;                  // overlay only; empty with lower_layers: read-only root
  std::string work_dir;
  std::string merged_dir;                 // where the overlay is mounted (in the container's mounts)
};

enum class NetworkMode { own, host, none, join };

struct NetworkConfig {
  NetworkMode mode = NetworkMode::own;  // own and none: a new netns with lo up
  std::string join_path;                // join: e.g. /proc/<pid>/ns/net of another container
};

// ipc, pid and uts: a namespace of the container's own, the host's, or one another container's
// process is in (docker's --ipc/--pid container:X).
enum class ShareMode { own, host, join };

struct NamespaceShare {
  ShareMode mode = ShareMode::own;
  std::string join_path;  // join: /proc/<pid>/ns/<ipc|pid|uts> of a process in it
  // join: the container whose process the shim looks up at each start and puts in join_path.
  std::string container;
};

enum class MountType { bind, volume, tmpfs, image };

struct MountConfig {
  MountType type = MountType::bind;
  std::string source;       // host path (bind, volume); unused for tmpfs
  std::string destination;  // absolute path inside the container
  bool read_only = false;
  std::uint64_t tmpfs_size = 0;  // bytes; 0: the kernel's default (half of RAM)
  std::uint32_t tmpfs_mode = 01777;
  std::vector<std::string> tmpfs_options;  // util/tmpfs_options.hpp words, applied after nosuid,nodev
  // image: the image's layer directories, top first, and the directory inside it to mount ("" =
  // its root); read-only (image_mount.hpp).
  std::vector<std::string> image_layers;
  std::string image_subpath;
};

// Host files bind-mounted over /etc/hosts, /etc/hostname and /etc/resolv.conf when set.
struct EtcFiles {
  std::string hosts;
  std::string hostname;
  std::string resolv_conf;
};

// A host device node made in the container's /dev (compose `devices`), and what the container may
// do with it (the devices cgroup).
struct DeviceNode {
  std::string path;                 // in the container: /dev/...
  std::string type = "c";           // "c" (character) or "b" (block)
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::uint32_t file_mode = 0666;   // the host node's permission bits
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::string access = "rwm";       // a subset of "rwm"
};

struct Rlimit {
  std::uint64_t soft = 0;
  std::uint64_t hard = 0;
};

struct CapabilityConfig {
  std::vector<std::string> add;   // "NET_ADMIN", "CAP_NET_ADMIN" or "ALL"
  std::vector<std::string> drop;
  bool privileged = false;        // every capability, and no seccomp filter
};

enum class SeccompMode { default_profile, unconfined };

struct SecurityConfig {
  CapabilityConfig capabilities;
  bool no_new_privileges = true;
  SeccompMode seccomp = SeccompMode::default_profile;
  // A file holding the default profile compiled beforehand (security::compile_default_profile)
  // for the capabilities in seccomp_program_caps; the child builds the filter itself when there is
  // none, it cannot be read or its own capabilities differ. A file, not the config: every `ps`
  // reads every container's config.
  std::string seccomp_program_file;
  std::uint64_t seccomp_program_caps = 0;
};

std::vector<std::string> default_masked_paths();
std::vector<std::string> default_readonly_paths();

inline constexpr std::uint64_t kDefaultShmSize = 64ull << 20;

struct ContainerConfig {
  std::string id;
  RootfsConfig rootfs;
  bool read_only = false;
  std::vector<std::string> args;
  std::vector<std::string> env;  // "KEY=value"; PATH here drives the executable lookup
  std::string cwd = "/";
  std::string user;              // "", "name", "uid", "uid:gid", "name:group"
  std::vector<std::string> additional_groups;  // group names (the image's /etc/group) or gids
  std::string hostname;
  std::string domainname;
  NetworkConfig network;
  NamespaceShare ipc, pid, uts;  // uts not own: the hostname and domainname stay unset
  bool host_cgroupns = false;    // the host's cgroup namespace (compose cgroup: host)
  // PID 1's stdin, stdout and stderr are a new terminal of the container's /dev/pts, its
  // controlling terminal; the parent gets the master (Container::take_terminal).
  bool tty = false;
  std::vector<MountConfig> mounts;
  EtcFiles etc_files;
  std::uint64_t shm_size = kDefaultShmSize;
  std::map<std::string, Rlimit> rlimits;  // "nofile" -> {soft, hard}
  std::map<std::string, std::string> sysctls;
  std::vector<DeviceNode> devices;
  std::vector<std::string> device_cgroup_rules;  // "c 1:3 rwm", as docker's --device-cgroup-rule
  std::optional<int> oom_score_adj;              // -1000..1000; unset: inherited
  SecurityConfig security;
  bool init = false;  // a minimal init as PID 1 that reaps zombies and forwards signals
  // PID 1 is killed when the process that created it ends (a build's RUN step: a builder killed
  // or interrupted leaves no step running); otherwise a container outlives its creator.
  bool die_with_parent = false;
  std::vector<std::string> masked_paths = default_masked_paths();
  std::vector<std::string> readonly_paths = default_readonly_paths();
  // Descriptors of the caller handed to the process as 0, 1, 2; -1 means /dev/null. They are
  // inherited through clone, so the numbers stay valid in the child.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
};

// A process started inside a running container (docker exec).
struct ExecConfig {
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd = "/";
  std::string user;
  std::vector<std::string> additional_groups;  // the container's group_add, as docker exec keeps them
  bool tty = false;
  SecurityConfig security;  // pass the container's own, so that exec is not more privileged
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
};

// Pure checks run before anything is created: every violation, joined with "; ".
Result<void> validate(const ContainerConfig& config);

std::string encode_config(const ContainerConfig& config);
Result<ContainerConfig> decode_config(const std::string& text);
// The same from an already parsed document (the shim config embeds one).
Result<ContainerConfig> config_from_json(const nlohmann::json& document);

}  // namespace stack::runtime
