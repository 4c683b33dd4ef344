// spec::Stack: the normalised, validated model of a stack file. Defaults applied, durations in
// nanoseconds, sizes in bytes, names resolved. Everything after src/spec/ sees only this.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spec/node.hpp"
#include "util/build_cache_option.hpp"
#include "util/ip.hpp"
#include "util/ip6.hpp"

namespace stack::spec {

using Duration = std::chrono::nanoseconds;

// Where a model element was written, for diagnostics raised after normalisation (graph cycles).
struct Location {
  Mark mark;
  std::string path;  // key path, e.g. "services.web.depends_on.db"
};

struct Port {
  std::string host_ip;           // "" = all addresses
  uint16_t published_min = 0;    // 0 = a random host port
  uint16_t published_max = 0;    // == published_min unless a host range was given
  uint16_t target = 0;           // container port
  std::string protocol = "tcp";  // tcp | udp | sctp
  std::string name;
  std::string app_protocol;
  std::string mode = "ingress";
  bool operator==(const Port&) const = default;
};

enum class MountType { bind, volume, tmpfs, image };

struct Mount {
  MountType type = MountType::volume;
  // bind: absolute host path; volume: key in Stack::volumes ("" = anonymous); image: a reference
  std::string source;
  std::string target;  // absolute container path
  bool read_only = false;
  bool create_host_path = true;        // bind: create a missing source, as docker compose does
  std::string propagation;             // bind: "" (rprivate), private, rprivate, shared, ...
  std::string selinux;                 // bind: "", "z" or "Z"
  bool nocopy = false;                 // volume
  std::string subpath;                 // volume, image: a relative path inside it, mounted instead of its root
  std::optional<int64_t> tmpfs_size;   // tmpfs: bytes
  std::optional<uint32_t> tmpfs_mode;  // tmpfs: octal mode
  std::vector<std::string> tmpfs_options;  // tmpfs: mount options besides size and mode (noexec, uid=1000), in order
  bool operator==(const Mount&) const = default;
};

struct ServiceNetwork {
  std::string key;  // key in Stack::networks
  std::vector<std::string> aliases;
  std::optional<util::Ipv4> ipv4_address;
  std::optional<std::string> mac_address;
  int priority = 0;
  Location location;
  std::optional<util::Ipv6> ipv6_address;  // last, so that positional initialisers stay valid
};

struct NetworkMode {
  enum class Kind { bridge, host, none, service, container };
  Kind kind = Kind::bridge;  // bridge: attach to ServiceNetworks
  std::string target;        // service or container name for service:/container:
};

// ipc, pid and uts: the container's own namespace (the default; ipc's "private" and "shareable"),
// the host's, or the one of another service's (its first replica) or container's process.
struct NamespaceMode {
  enum class Kind { own, host, service, container };
  Kind kind = Kind::own;
  std::string target;  // service or container name for service:/container:
  bool operator==(const NamespaceMode&) const = default;
};

enum class Condition { service_started, service_healthy, service_completed_successfully };

struct Dependency {
  std::string service;
  Condition condition = Condition::service_started;
  bool required = true;
  bool restart = false;
  Location location;
};

struct RestartPolicy {
  enum class Kind { no, always, on_failure, unless_stopped };
  Kind kind = Kind::no;
  std::optional<int> max_retries;  // on-failure[:N]
};

// Every field optional: an unset field falls back to the image's HEALTHCHECK, then to docker's
// defaults (interval 30s, timeout 30s, retries 3, start_period 0, start_interval 5s).
struct Healthcheck {
  std::vector<std::string> test;  // ["CMD", args...], ["CMD-SHELL", cmd] or ["NONE"]; empty = image's
  std::optional<Duration> interval, timeout, start_period, start_interval;
  std::optional<int> retries;
  bool disable = false;  // disable: true or test: NONE
};

struct DeviceRate {
  std::string path;  // /dev/sda
  uint64_t rate = 0; // bytes per second or operations per second
  bool operator==(const DeviceRate&) const = default;
};

struct Blkio {
  std::optional<uint16_t> weight;  // 10..1000
  std::vector<DeviceRate> weight_device;  // rate = the device's weight, 10..1000
  std::vector<DeviceRate> device_read_bps, device_write_bps, device_read_iops, device_write_iops;
};

// Limits from deploy.resources and the top-level service keys (mem_limit, cpus, ...), merged;
// writing the same limit both ways with different values is an error.
struct Resources {
  std::optional<double> cpus;               // CFS quota expressed in CPUs
  std::optional<int64_t> memory;            // bytes
  std::optional<int64_t> memswap;           // bytes; -1 = unlimited swap
  std::optional<int64_t> memory_reservation;
  std::optional<int64_t> pids;              // pids limit; -1 = unlimited
  std::optional<int64_t> cpu_shares;
  std::optional<int64_t> cpu_quota;         // microseconds
  std::optional<int64_t> cpu_period;        // microseconds
  std::optional<int64_t> cpu_rt_runtime;    // microseconds of real-time per cpu_rt_period
  std::optional<int64_t> cpu_rt_period;     // microseconds
  std::optional<std::string> cpuset;        // "0-1,3"
  std::optional<double> reservation_cpus;
  std::optional<int64_t> memory_swappiness;  // 0..100 (cgroup v1; v2 has none, as docker ignores it)
  bool oom_kill_disable = false;             // cgroup v1 memory.oom_control
  Blkio blkio;
};

// devices: a host device node made in the container (docker's --device HOST[:CONTAINER[:PERMS]]).
struct DeviceMapping {
  std::string source;               // absolute host path
  std::string target;               // container path below /dev; the source when not given
  std::string permissions = "rwm";  // a subset of r, w, m
  Location location;                // the list item
};

struct Ulimit {
  int64_t soft = 0;
  int64_t hard = 0;
  bool operator==(const Ulimit&) const = default;
};

struct ExtraHost {
  std::string hostname;
  std::string address;
  bool operator==(const ExtraHost&) const = default;
};

// post_start and pre_stop: a command run in the container right after stack starts it, or right
// before stack stops it, as compose runs them (a restart by the restart policy runs none).
struct LifecycleHook {
  std::vector<std::string> command;
  std::string user;         // "" = the container's
  bool privileged = false;
  std::string working_dir;  // "" = the container's
  std::map<std::string, std::string> environment;  // added to the container's
  Location location;        // the list item
};

// develop.watch: one rule of `stack watch`, as compose's watch reads it. A change under path
// (not ignored, and included when include is given) triggers the action.
struct WatchRule {
  enum class Action { sync, rebuild, sync_restart, restart, sync_exec };
  std::string path;    // absolute host path (relative ones resolve against the project directory)
  Action action = Action::sync;
  std::string target;  // absolute container path; the sync actions only
  std::vector<std::string> ignore;   // .dockerignore syntax, relative to path
  std::vector<std::string> include;  // the same; empty = everything
  bool initial_sync = false;         // sync actions: copy the whole path when watch starts
  std::optional<LifecycleHook> exec;  // sync+exec: run after each sync
  Location location;                  // the list item
};

// links: SERVICE[:ALIAS]. The linking service's containers resolve the alias to the linked
// service's containers; a link is also a dependency (compose adds it to depends_on).
struct Link {
  std::string service;
  std::string alias;  // the name to resolve; the service's own name when none is given
  Location location;  // the list item
};

// external_links: CONTAINER[:ALIAS]. A container of another project of the state root (on a network
// the service shares with it); the alias resolves to it in that network's DNS. No dependency.
struct ExternalLink {
  std::string container;
  std::string alias;  // the container's own name when none is given
  Location location;  // the list item
};

// volumes_from: SERVICE[:ro|:rw] or container:NAME[:ro|:rw]. The service's containers mount the
// volumes and binds of the named service's first container (a dependency too) or of the named
// container, which need not belong to the project (tmpfs is not copied, as in docker).
struct VolumesFrom {
  std::string service;    // empty for container:NAME
  std::string container;  // container:NAME, looked up when the service's containers are made
  std::optional<bool> read_only;  // unset: as the source mounts them; :ro true, :rw false
  Location location;              // the list item
};

// refresh: compose's daily, weekly and every_<duration>: pull when the tag was last set (pulled,
// loaded, built) longer ago than Service::pull_refresh, or is missing.
enum class PullPolicy { missing, always, never, build, refresh };

// A secret a build's RUN --mount=type=secret can read: a top-level secret under an id.
struct BuildSecret {
  std::string source;  // key under top-level secrets:
  std::string id;      // the Dockerfile's id=; default the source
  Location location;   // the list item
  bool operator==(const BuildSecret& o) const { return source == o.source && id == o.id; }
};

// build.additional_contexts: a named context (docs/build.md, "Named contexts").
struct BuildContext {
  std::string name;
  std::string value;  // an absolute directory, docker-image://REF or service:NAME
  Location location;  // the value
  bool operator==(const BuildContext& o) const { return name == o.name && value == o.value; }
};

// build: how the service's image is made from a Dockerfile (src/build), as `stack image build`
// takes it. Paths are absolute; the image is tagged with Service::image and `tags`.
struct Build {
  std::string context;            // a directory
  std::string dockerfile;         // "" = <context>/Dockerfile, unless dockerfile_inline
  std::string dockerfile_inline;  // the Dockerfile's text; never with dockerfile
  std::map<std::string, std::string> args;  // `KEY` alone: the environment's value, else left out
  std::string target;             // "" = the last stage
  std::map<std::string, std::string> labels;
  std::string network;            // "" (default), none, default or host: of RUN steps
  bool no_cache = false;
  bool pull = false;              // pull the base images first
  std::vector<std::string> tags;  // names besides Service::image
  std::optional<int64_t> shm_size;     // /dev/shm of RUN steps, bytes
  std::vector<ExtraHost> extra_hosts;  // in RUN steps' /etc/hosts
  std::vector<BuildSecret> secrets;
  std::vector<BuildContext> additional_contexts;  // by name
  std::map<std::string, std::string> ssh;  // RUN --mount=type=ssh: id -> agent socket ("" = SSH_AUTH_SOCK)
  // cache_from / cache_to (util/build_cache_option.hpp): a type=local cache's directory absolute.
  std::vector<util::CacheOption> cache_from;
  std::vector<util::CacheOption> cache_to;
  bool operator==(const Build&) const = default;
};

// Container logs: json-file (docker's format, rotated by max-size / max-file) or none.
struct Logging {
  std::string driver = "json-file";
  std::optional<int64_t> max_size;  // bytes; unset = never rotate
  std::string max_size_text;        // as written ("10m"): `config` prints it, as compose does
  std::optional<int> max_file;      // files kept with max_size; default 1
  bool operator==(const Logging&) const = default;
};

// A service's use of a secret or a config: a read-only file in the container.
struct FileMount {
  std::string source;  // key under top-level secrets: / configs:
  std::string target;  // absolute container path: /run/secrets/<name> or /<name> by default
  std::optional<uint32_t> uid, gid;  // owner in the container; unset = 0
  std::optional<uint32_t> mode;      // unset = 0444, as compose
  Location location;                 // the list item
};

struct Service {
  std::string name;
  std::string image;
  std::optional<std::vector<std::string>> entrypoint;  // unset = the image's; [] clears it
  std::optional<std::vector<std::string>> command;     // unset = the image's
  std::map<std::string, std::string> environment;      // env_file merged in, environment wins
  std::map<std::string, std::string> env_file_environment;  // env_file alone (kube export)
  std::string working_dir;
  std::string user;
  std::string hostname;
  std::string domainname;
  std::string container_name;
  std::string platform;  // "" = the host's; only the host's own platform is accepted
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;  // metadata only: no hook reads them
  std::vector<Port> ports;
  std::vector<std::string> expose;  // "80", "8000-8010/udp"
  std::vector<Mount> mounts;        // volumes: and tmpfs:, in that order
  std::vector<FileMount> secrets;   // in file order
  std::vector<FileMount> configs;
  std::vector<ServiceNetwork> networks;  // sorted by priority (desc) then key
  NetworkMode network_mode;
  NamespaceMode ipc, pid, uts;           // uts: own or host only
  bool cgroup_host = false;              // cgroup: host (default private: a cgroup namespace of its own)
  std::vector<std::string> group_add;    // group names of the image's /etc/group, or gids
  bool attach = true;                    // false: an attached `up` does not show its logs
  bool tty = false;                      // PID 1's stdio is a terminal; its output is logged from it
  bool stdin_open = false;               // stdin stays open (a read waits) instead of /dev/null
  std::vector<Dependency> depends_on;    // sorted by service; links add theirs
  std::vector<Link> links;               // in file order
  std::vector<ExternalLink> external_links;  // in file order
  std::vector<VolumesFrom> volumes_from;  // in file order
  std::vector<LifecycleHook> post_start;  // in order
  std::vector<LifecycleHook> pre_stop;
  std::vector<WatchRule> watch;  // develop.watch, in file order
  bool develop = false;          // develop: given (printed back even when watch is empty)
  RestartPolicy restart;
  std::optional<Healthcheck> healthcheck;
  // x-health-on-failure: what the shim does when the health check makes the container unhealthy
  // (podman's --health-on-failure; docker has none).
  enum class HealthAction { none, kill, restart, stop };
  HealthAction health_on_failure = HealthAction::none;
  int replicas = 1;  // deploy.replicas or scale
  Resources resources;
  std::map<std::string, Ulimit> ulimits;
  std::map<std::string, std::string> sysctls;
  std::vector<std::string> cap_add;   // upper case, no CAP_ prefix; "ALL" allowed
  std::vector<std::string> cap_drop;
  bool privileged = false;
  bool read_only = false;
  std::vector<std::string> security_opt;
  std::optional<bool> init;
  std::string stop_signal;  // "SIGTERM" form; "" = the image's, else SIGTERM
  std::optional<Duration> stop_grace_period;
  std::vector<ExtraHost> extra_hosts;
  std::vector<std::string> dns;
  std::vector<std::string> dns_search;  // resolv.conf search domains
  std::vector<std::string> dns_opt;     // resolv.conf options (ndots:0 unless one sets ndots)
  std::vector<DeviceMapping> devices;
  std::vector<std::string> device_cgroup_rules;  // "c 1:3 rwm", checked by util::parse_device_rule
  std::optional<int> oom_score_adj;              // -1000..1000
  std::optional<int64_t> shm_size;
  PullPolicy pull_policy = PullPolicy::missing;
  std::chrono::seconds pull_refresh{0};  // PullPolicy::refresh: the window
  std::optional<Build> build;
  // The id ("sha256:...") of the local image of a service with `build`, when the CLI found one
  // before planning: part of the config hash, so that a rebuilt image recreates the containers.
  std::string image_id;
  Logging logging;
  std::vector<std::string> profiles;
  Location location;  // the services.<name> key
};

struct IpamPool {
  util::Subnet subnet;
  std::optional<util::Ipv4> gateway;     // none: the first address of the subnet
  std::optional<util::Subnet> ip_range;  // within subnet; none: the whole subnet
  std::map<std::string, util::Ipv4> aux_addresses;  // reserved by name, never given to a container
  bool operator==(const IpamPool&) const = default;
};

// An IPv6 `ipam.config` entry of an enable_ipv6 network (at most one per network).
struct IpamPool6 {
  util::Subnet6 subnet;
  std::optional<util::Ipv6> gateway;     // none: the first host of the subnet
  std::optional<util::Subnet6> ip_range;
  std::map<std::string, util::Ipv6> aux_addresses;
  bool operator==(const IpamPool6&) const = default;
};

struct Network {
  std::string key;   // key under networks:
  std::string name;  // the real name: name:, else {project}_{key}; external: name or key
  std::string driver = "bridge";
  bool internal = false;
  bool external = false;
  bool attachable = false;
  bool enable_ipv6 = false;
  std::string ipam_driver = "default";
  std::vector<IpamPool> ipam;
  std::vector<IpamPool6> ipam6;  // enable_ipv6 networks: exactly one
  std::map<std::string, std::string> driver_opts;
  std::map<std::string, std::string> labels;
  Location location;
};

struct Volume {
  std::string key;
  std::string name;  // name:, else {project}_{key}; external: name or key
  std::string driver = "local";
  bool external = false;
  std::map<std::string, std::string> driver_opts;
  std::map<std::string, std::string> labels;
  std::optional<int64_t> kube_size;  // x-kubernetes.size: the claim's size in `stack kube`
  Location location;
};

// A top-level secret or config: where its content comes from. The content of `environment` and
// `content` is kept here for the runtime only: serialize and logs show the source, never it.
struct FileSource {
  enum class Kind { file, environment, content };
  std::string key;
  Kind kind = Kind::file;
  std::string file;      // file: absolute host path, read when a container is created
  std::string variable;  // environment: the variable's name
  std::string content;   // environment: its value; content: the text
  Location location;
};

struct Stack {
  std::string name;         // project name
  std::string working_dir;  // directory of the first stack file; relative paths resolve here
  std::vector<std::string> files;
  std::vector<Service> services;  // enabled services only, sorted by name
  std::vector<Network> networks;  // sorted by key; "default" present when any service uses it
  std::vector<Volume> volumes;    // sorted by key
  std::vector<FileSource> secrets;  // sorted by key
  std::vector<FileSource> configs;  // sorted by key

  const Service* find_service(std::string_view name) const;
  const Network* find_network(std::string_view key) const;
  const Volume* find_volume(std::string_view key) const;
  const FileSource* find_secret(std::string_view key) const;
  const FileSource* find_config(std::string_view key) const;
};

std::string_view to_string(Condition c);
std::string_view to_string(RestartPolicy::Kind k);
std::string_view to_string(Service::HealthAction a);
std::string_view to_string(MountType t);

// The image name of a service with build and no image, as compose names it: {project}-{service},
// lower case (normalize_build.cpp).
std::string default_image_name(std::string_view project, std::string_view service);
std::string_view to_string(PullPolicy p);
std::string_view to_string(NetworkMode::Kind k);
// "sync", "rebuild", "sync+restart", "restart", "sync+exec".
std::string_view to_string(WatchRule::Action a);

}  // namespace stack::spec
