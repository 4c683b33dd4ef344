// Shared between the normalize_*.cpp files: the per-service draft that collects what each key
// contributes, and the key handlers. A draft exists because some rules span keys (restart vs
// deploy.restart_policy, mem_limit vs deploy.resources, environment over env_file), so those are
// settled once every key has been read.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spec/diagnostic.hpp"
#include "spec/field_reader.hpp"
#include "spec/model.hpp"
#include "spec/node.hpp"
#include "spec/normalize.hpp"

namespace stack::spec {

// A value with the node it came from, so that a later conflict can point at it.
template <class T>
struct Sourced {
  T value;
  const Node* node = nullptr;
};

struct ServiceDraft {
  Service service;
  std::string path;  // "services.web"
  const NormalizeContext* ctx = nullptr;
  Diagnostics* diags = nullptr;

  std::optional<Environment> env_file_env;       // env_file:, merged in file order
  std::optional<Environment> environment;        // environment:, wins over env_file
  bool restart_set = false;                      // restart: given (deploy policy then ignored)
  std::optional<RestartPolicy> deploy_restart;   // deploy.restart_policy
  std::optional<Sourced<int64_t>> scale;
  std::optional<Sourced<int64_t>> deploy_replicas;
  // Service-level resource keys as written; deploy.resources are compared against these.
  std::optional<Sourced<int64_t>> mem_limit, mem_reservation;
  std::optional<Sourced<double>> cpus;
  std::optional<Sourced<int64_t>> pids_limit;
  const Node* rt_runtime_node = nullptr;  // cpu_rt_runtime, checked against cpu_rt_period at the end
  std::string rt_runtime_path;
  std::optional<Sourced<int64_t>> deploy_memory, deploy_mem_reservation, deploy_pids;
  std::optional<Sourced<double>> deploy_cpus;
  const Node* networks_node = nullptr;      // networks: given
  const Node* network_mode_node = nullptr;  // network_mode: given
  std::vector<Mount> volume_mounts, tmpfs_mounts;
  std::map<std::string, std::string> mount_paths;  // container path -> key path that mounts it
  std::optional<Sourced<std::string>> mac_address;  // service-level: the first network's
  std::map<std::string, Sourced<std::string>> sysctl_nodes;  // sysctl -> {key path, node}
  const Node* memswap_node = nullptr;  // memswap_limit: given
  const Node* ports_node = nullptr;    // ports: given
  const Node* uts_node = nullptr;      // uts: host given
  std::optional<Environment> label_file_labels;  // label_file:, in file order; labels: wins
  std::vector<std::pair<const Node*, std::string>> rebuild_rules;  // develop.watch items with rebuild

  void error(const Node& node, const std::string& at, std::string message) const {
    diags->error(node, at, std::move(message));
  }
};

using KeyHandler = void (*)(ServiceDraft& d, const Node& value, const std::string& path);

// normalize_env.cpp
// KEY=VALUE pairs as a mapping or a list (environment, build.args): `KEY` alone takes the
// shell's value, or is left out when the shell has none.
std::optional<Environment> read_variables(ServiceDraft& d, const Node& value, const std::string& path);
void read_environment(ServiceDraft& d, const Node& value, const std::string& path);
void read_env_file(ServiceDraft& d, const Node& value, const std::string& path);
// label_file: KEY=VALUE files as env_file reads them; `labels` wins over them (finish_labels).
void read_label_file(ServiceDraft& d, const Node& value, const std::string& path);
void finish_labels(ServiceDraft& d);
// A command as a string (split like a shell, without expansion) or a list.
std::optional<std::vector<std::string>> read_words(ServiceDraft& d, const Node& value, const std::string& path);
void read_command(ServiceDraft& d, const Node& value, const std::string& path);
void read_entrypoint(ServiceDraft& d, const Node& value, const std::string& path);
void read_working_dir(ServiceDraft& d, const Node& value, const std::string& path);
// Splits like a POSIX shell without expansion (compose's shellwords); false on an open quote.
bool shell_split(std::string_view text, std::vector<std::string>& out);

// normalize_ports.cpp
void read_ports(ServiceDraft& d, const Node& value, const std::string& path);
void read_expose(ServiceDraft& d, const Node& value, const std::string& path);
// Ports that network_mode leaves nowhere to publish from.
void finish_ports(ServiceDraft& d);

// normalize_mounts.cpp
void read_volumes(ServiceDraft& d, const Node& value, const std::string& path);
void read_tmpfs(ServiceDraft& d, const Node& value, const std::string& path);

// normalize_resources.cpp
void read_deploy(ServiceDraft& d, const Node& value, const std::string& path);
void read_blkio(ServiceDraft& d, const Node& value, const std::string& path);
void read_ulimits(ServiceDraft& d, const Node& value, const std::string& path);
void read_resource_key(ServiceDraft& d, const Node& value, const std::string& path);
void read_oom_score_adj(ServiceDraft& d, const Node& value, const std::string& path);
void read_scale(ServiceDraft& d, const Node& value, const std::string& path);
// Settles replicas and resource limits written both ways; reports conflicts.
void finish_resources(ServiceDraft& d);

// normalize_namespaces.cpp: ipc, pid and uts (the path says which).
void read_namespace_mode(ServiceDraft& d, const Node& value, const std::string& path);
void read_cgroup(ServiceDraft& d, const Node& value, const std::string& path);
// uts: host with a hostname.
void finish_namespaces(ServiceDraft& d);

// normalize_devices.cpp
void read_devices(ServiceDraft& d, const Node& value, const std::string& path);
void read_device_cgroup_rules(ServiceDraft& d, const Node& value, const std::string& path);

// normalize_lifecycle.cpp
void read_restart(ServiceDraft& d, const Node& value, const std::string& path);
void read_healthcheck(ServiceDraft& d, const Node& value, const std::string& path);
void read_health_on_failure(ServiceDraft& d, const Node& value, const std::string& path);
void read_depends_on(ServiceDraft& d, const Node& value, const std::string& path);
void read_stop_signal(ServiceDraft& d, const Node& value, const std::string& path);
void read_pull_policy(ServiceDraft& d, const Node& value, const std::string& path);
std::optional<RestartPolicy> parse_restart(std::string_view text);

// normalize_service_networks.cpp
void read_networks(ServiceDraft& d, const Node& value, const std::string& path);
void read_network_mode(ServiceDraft& d, const Node& value, const std::string& path);
void read_extra_hosts(ServiceDraft& d, const Node& value, const std::string& path);
void read_links(ServiceDraft& d, const Node& value, const std::string& path);
void read_external_links(ServiceDraft& d, const Node& value, const std::string& path);

// normalize_hooks.cpp: post_start and pre_stop.
void read_hooks(ServiceDraft& d, const Node& value, const std::string& path);
// One hook mapping {command, user, privileged, working_dir, environment}; nullopt after an error.
std::optional<LifecycleHook> read_hook(ServiceDraft& d, const Node& value, const std::string& path);

// normalize_develop.cpp: develop.watch, and the rules that need the whole service (rebuild needs
// build).
void read_develop(ServiceDraft& d, const Node& value, const std::string& path);
void finish_develop(ServiceDraft& d);
void read_volumes_from(ServiceDraft& d, const Node& value, const std::string& path);
void read_dns(ServiceDraft& d, const Node& value, const std::string& path);
// dns_search and dns_opt (the path says which).
void read_dns_lines(ServiceDraft& d, const Node& value, const std::string& path);
// hostname and domainname (the path says which).
void read_uts_name(ServiceDraft& d, const Node& value, const std::string& path);
bool is_ipv4(std::string_view text);
bool is_ipv6(std::string_view text);

// An ipam.config entry's ip_range (at `at`), for either family: parsed by parse (text -> Result of
// the family's subnet type) and inside subnet (whose text is subnet_text); nullopt after an error.
template <class SubnetT, class Parse>
std::optional<SubnetT> read_ip_range(const Node& r, const std::string& at, const SubnetT& subnet,
                                     const std::string& subnet_text, Parse parse, Diagnostics& diags) {
  const std::string range_text = read_string(r, at, diags).value_or("");
  auto range = parse(range_text);
  if (!range) diags.error(r, at, range.error().message());
  else if (!subnet.contains(*range)) diags.error(r, at, "'" + range_text + "' is outside subnet '" + subnet_text + "'");
  else return *range;
  return std::nullopt;
}

// normalize_ipam6.cpp: an ipam.config entry with an IPv6 subnet (text, at subnet_node), and the
// rules between enable_ipv6 and such an entry, checked once the network's keys are read.
void read_pool6(const Node& v, const std::string& p, const Node& subnet_node, const std::string& text, Network& net,
                Diagnostics& diags);
void check_ipv6_network(const Node& v, const std::string& p, const Network& net, Diagnostics& diags);


// normalize_security.cpp
void read_caps(ServiceDraft& d, const Node& value, const std::string& path);
void read_group_add(ServiceDraft& d, const Node& value, const std::string& path);
void read_sysctls(ServiceDraft& d, const Node& value, const std::string& path);
void read_security_opt(ServiceDraft& d, const Node& value, const std::string& path);
// What spans keys: net.* sysctls with network_mode host.
void finish_security(ServiceDraft& d);

// normalize_secrets.cpp
void read_secrets(ServiceDraft& d, const Node& value, const std::string& path);
void read_configs(ServiceDraft& d, const Node& value, const std::string& path);
// Top-level secrets: or configs: (section names which).
std::vector<FileSource> normalize_file_sources(const Node* node, std::string_view section,
                                               const NormalizeContext& ctx, Diagnostics& diags);

// normalize_refused.cpp: the service keys refused, and the message for one ("not supported
// yet: <reason>" or "not supported: <reason>"); nullopt for a key that is not refused.
std::vector<std::string_view> refused_service_keys();
std::optional<std::string> refusal(std::string_view key);

// normalize_build.cpp: build (string or mapping).
void read_build(ServiceDraft& d, const Node& value, const std::string& path);

// normalize_service.cpp
std::optional<Service> normalize_service(const Node& key, const Node& value,
                                         const NormalizeContext& ctx, Diagnostics& diags);

// normalize_project.cpp: top-level networks: and volumes:.
std::vector<Network> normalize_networks(const Node* node, const NormalizeContext& ctx,
                                        Diagnostics& diags);
std::vector<Volume> normalize_volumes(const Node* node, const NormalizeContext& ctx,
                                      Diagnostics& diags);
Network default_network(const std::string& project);

}  // namespace stack::spec
