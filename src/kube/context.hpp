// The state of one export, shared by the files that build its parts (container.cpp, volumes.cpp,
// workload.cpp, ...): the stack, the options, the names every reference is rewritten to, the
// objects made so far and the warnings. Internal to src/kube.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/generate.hpp"

namespace stack::kube {

using nlohmann::json;

inline constexpr const char* kNameLabel = "app.kubernetes.io/name";
inline constexpr const char* kPartOfLabel = "app.kubernetes.io/part-of";
inline constexpr const char* kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr const char* kNetworkLabelPrefix = "stack.network/";

struct Context {
  const spec::Stack& stack;
  const Options& options;
  const FileSource& files;
  Warnings warnings;

  std::vector<const spec::Service*> services;         // the ones exported, in stack order
  std::map<std::string, std::string> service_names;   // stack name -> Kubernetes name
  std::map<std::string, std::string> claim_names;     // volume key -> claim name
  std::map<std::string, std::string> network_labels;  // network key -> pod label key
  std::set<std::string> jobs;                         // services exported as Jobs
  std::set<std::string> reached;                      // depends_on targets: need a Service
  std::map<std::string, std::set<std::string>> volume_users;  // volume key -> services
  std::set<std::string> claim_mounters;               // services that mount a claim
  std::map<std::string, std::string> bind_config_maps;  // bind source -> ConfigMap name
  std::map<std::string, std::string> secret_names;  // secret key -> Secret name (mounted ones)
  std::map<std::string, std::string> config_names;  // config key -> ConfigMap name (mounted ones)
  std::vector<Object> objects;

  const std::string& name_of(const std::string& service) const { return service_names.at(service); }
  bool exported(const std::string& service) const { return service_names.count(service) != 0; }

  // metadata: name, namespace, labels (part-of, managed-by and the service's name when given).
  json metadata(const std::string& name, const spec::Service* owner = nullptr) const;
  // The labels that select a service's pods: name and part-of.
  json selector_labels(const spec::Service& service) const;
  void add(std::string api_version, std::string kind, std::string name, json body);
  // "services.<name>" + "." + key
  static std::string path(const spec::Service& service, const std::string& key);
};

// The parts of one service's pod, built in turn and assembled by workload.cpp.
json make_container(Context& ctx, const spec::Service& service);
void add_probes(Context& ctx, const spec::Service& service, json& container);
void add_resources(Context& ctx, const spec::Service& service, json& container);
void add_security(Context& ctx, const spec::Service& service, json& container, json& pod);
// Volumes and mounts; PVCs and ConfigMaps are added to ctx. Errors for binds that cannot be made.
util::Result<void> add_volumes(Context& ctx, const spec::Service& service, json& container,
                               json& pod);
void add_claims(Context& ctx);
// secrets: and configs: of a service: one volume and one read-only file mount (subPath) each,
// with the mode; a gid becomes the pod's fsGroup.
void add_file_mounts(Context& ctx, const spec::Service& service, json& container, json& pod);
// A Secret or ConfigMap per secret or config that an exported service mounts. Errors: a file that
// is missing, not a regular file, or larger than an object holds.
util::Result<void> add_file_objects(Context& ctx);
void add_wait_containers(Context& ctx, const spec::Service& service, json& pod);
void add_pod_settings(Context& ctx, const spec::Service& service, json& pod);
void add_workload(Context& ctx, const spec::Service& service, json pod);
void add_services(Context& ctx, const spec::Service& service);
void add_network_policies(Context& ctx);

// A ConfigMap or a Secret holds at most 1 MiB.
inline constexpr uint64_t kMaxObjectBytes = 1024 * 1024;

// Text a ConfigMap's data can hold: UTF-8 without control characters other than tab and newlines.
bool is_text(const std::string& data);

// Kubernetes expands $(VAR) in command, args and env values, and $$ to $: escapes both so that the
// text reaches the process as the stack file wrote it.
std::string escape_expansion(const std::string& text);

// The container ports of a service: ports' targets, then expose, without duplicates.
struct ContainerPort {
  uint16_t port = 0;
  std::string protocol;  // TCP, UDP, SCTP
  std::string name;      // a valid port name
  std::string app_protocol;
};
std::vector<ContainerPort> container_ports(Context& ctx, const spec::Service& service);

// Server-side rules the JSON schemas do not check: name lengths and formats, unique names per
// kind, port names, selector labels present in the pod template.
util::Result<void> check_objects(const std::vector<Object>& objects);

}  // namespace stack::kube
