// One service: every key of the Compose service schema is either handled, ignored for a stated
// reason, or refused as not supported yet, so that nothing a user wrote is silently dropped.
#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"

namespace stack::spec {

namespace {

void read_image(ServiceDraft& d, const Node& v, const std::string& p) {
  if (auto s = read_string(v, p, *d.diags)) {
    if (s->empty()) d.error(v, p, "must not be empty");
    d.service.image = *s;
  }
}

// A plain string key that lands in one Service member.
template <std::string Service::*Field>
void read_text(ServiceDraft& d, const Node& v, const std::string& p) {
  if (auto s = read_string(v, p, *d.diags)) d.service.*Field = *s;
}

template <bool Service::*Field>
void read_flag(ServiceDraft& d, const Node& v, const std::string& p) {
  if (auto b = read_bool(v, p, *d.diags)) d.service.*Field = *b;
}

void read_init(ServiceDraft& d, const Node& v, const std::string& p) {
  if (auto b = read_bool(v, p, *d.diags)) d.service.init = *b;
}

void read_container_name(ServiceDraft& d, const Node& v, const std::string& p) {
  auto s = read_string(v, p, *d.diags);
  if (!s) return;
  // Docker's rule for container names; anything else would fail at create time.
  static const std::regex kValid("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
  if (!std::regex_match(*s, kValid))
    d.error(v, p, "'" + *s + "' is not a valid container name");
  d.service.container_name = *s;
}

// The architecture images run as on this host: what the image store selects manifests for.
#if defined(__x86_64__)
constexpr std::string_view kHostArch = "amd64";
#elif defined(__aarch64__)
constexpr std::string_view kHostArch = "arm64";
#else
constexpr std::string_view kHostArch = "unknown";
#endif

// An empty platform (often "${PLATFORM}" unset) is no platform, as in compose. Any other than
// the host's own would need emulation, which stack does not do.
void read_platform(ServiceDraft& d, const Node& v, const std::string& p) {
  auto s = read_string(v, p, *d.diags);
  if (!s || s->empty()) return;
  std::string lower;
  for (char c : *s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string own = "linux/" + std::string(kHostArch);
  if (lower == own || (kHostArch == "arm64" && lower == own + "/v8")) {
    d.service.platform = lower;
    return;
  }
  d.error(v, p, "platform '" + *s + "' cannot run on this host (" + own +
                    "): stack runs images of the host's platform only, without emulation");
}

void read_labels(ServiceDraft& d, const Node& v, const std::string& p) {
  if (auto m = read_string_map(v, p, *d.diags)) d.service.labels = std::move(*m);
}

void read_annotations(ServiceDraft& d, const Node& v, const std::string& p) {
  if (auto m = read_string_map(v, p, *d.diags)) d.service.annotations = std::move(*m);
}

// Linux containers have one isolation mode; the others are Windows'.
void read_isolation(ServiceDraft& d, const Node& v, const std::string& p) {
  auto s = read_string(v, p, *d.diags);
  if (s && *s != "default")
    d.error(v, p, "not supported: '" + *s + "' is a Windows isolation mode ('default' is Linux's)");
}

// The runtime never makes user namespaces: every container already shares the host's.
void read_userns_mode(ServiceDraft& d, const Node& v, const std::string& p) {
  auto s = read_string(v, p, *d.diags);
  if (s && *s != "host" && !s->empty())
    d.error(v, p, "not supported yet: the runtime does not make user namespaces ('host' is what "
                  "every container has)");
}

// The service-level form of networks.<name>.mac_address: for the first network (finish()).
void read_mac_address(ServiceDraft& d, const Node& v, const std::string& p) {
  static const std::regex kMac("([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}");
  auto s = read_string(v, p, *d.diags);
  if (!s) return;
  if (!std::regex_match(*s, kMac)) return d.error(v, p, "'" + *s + "' is not a valid mac address");
  d.mac_address = Sourced<std::string>{*s, &v};
}

void read_stop_grace_period(ServiceDraft& d, const Node& v, const std::string& p) {
  if (auto dur = read_duration(v, p, *d.diags)) d.service.stop_grace_period = *dur;
}

void read_shm_size(ServiceDraft& d, const Node& v, const std::string& p) {
  if (auto b = read_bytes(v, p, *d.diags)) d.service.shm_size = *b;
}

void read_profiles(ServiceDraft& d, const Node& v, const std::string& p) {
  auto list = read_string_list(v, p, *d.diags);
  if (!list) return;
  static const std::regex kValid("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
  for (size_t i = 0; i < list->size(); ++i) {
    if (!std::regex_match((*list)[i], kValid))
      d.error(v.items[i], index_path(p, i), "'" + (*list)[i] + "' is not a valid profile name");
  }
  d.service.profiles = std::move(*list);
}

void read_logging_options(ServiceDraft& d, const Node& v, const std::string& p) {
  auto options = read_string_map(v, p, *d.diags);
  if (!options) return;
  for (const auto& [key, value] : *options) {
    const Node* at = v.is_mapping() && v.find(key) ? v.find(key) : &v;
    std::string kp = join_path(p, key);
    if (key == "max-size") {
      if (auto b = read_bytes(*at, kp, *d.diags)) {
        d.service.logging.max_size = *b;
        d.service.logging.max_size_text = value;
      }
    } else if (key == "max-file") {
      auto n = parse_int(value);
      if (!n || *n < 1 || *n > 1000)
        d.error(*at, kp, "'" + value + "' is not a valid number of log files (1 to 1000)");
      else
        d.service.logging.max_file = static_cast<int>(*n);
    } else {
      d.error(*at, kp, "log option '" + key + "' is not supported yet (max-size, max-file are)");
    }
  }
}

void read_logging(ServiceDraft& d, const Node& v, const std::string& p) {
  if (!expect_mapping(v, p, *d.diags)) return;
  static constexpr std::array<std::string_view, 2> kKeys{"driver", "options"};
  check_keys(v, p, kKeys, *d.diags);
  if (const Node* driver = v.find("driver")) {
    auto name = read_string(*driver, join_path(p, "driver"), *d.diags);
    if (name && *name != "json-file" && *name != "none")
      d.error(*driver, join_path(p, "driver"),
              "log driver '" + *name + "' is not supported yet (json-file and none are)");
    else if (name)
      d.service.logging.driver = *name;
  }
  if (const Node* options = v.find("options"))
    read_logging_options(d, *options, join_path(p, "options"));
}

struct KeyEntry {
  std::string_view key;
  KeyHandler handler;
};

constexpr std::array kHandlers{
    KeyEntry{"image", read_image},
    KeyEntry{"command", read_command},
    KeyEntry{"entrypoint", read_entrypoint},
    KeyEntry{"environment", read_environment},
    KeyEntry{"env_file", read_env_file},
    KeyEntry{"working_dir", read_working_dir},
    KeyEntry{"user", read_text<&Service::user>},
    KeyEntry{"hostname", read_uts_name},
    KeyEntry{"domainname", read_uts_name},
    KeyEntry{"container_name", read_container_name},
    KeyEntry{"platform", read_platform},
    KeyEntry{"labels", read_labels},
    KeyEntry{"label_file", read_label_file},
    KeyEntry{"annotations", read_annotations},
    KeyEntry{"isolation", read_isolation},
    KeyEntry{"userns_mode", read_userns_mode},
    KeyEntry{"mac_address", read_mac_address},
    KeyEntry{"ports", read_ports},
    KeyEntry{"expose", read_expose},
    KeyEntry{"volumes", read_volumes},
    KeyEntry{"tmpfs", read_tmpfs},
    KeyEntry{"volumes_from", read_volumes_from},
    KeyEntry{"secrets", read_secrets},
    KeyEntry{"configs", read_configs},
    KeyEntry{"networks", read_networks},
    KeyEntry{"network_mode", read_network_mode},
    KeyEntry{"depends_on", read_depends_on},
    KeyEntry{"restart", read_restart},
    KeyEntry{"healthcheck", read_healthcheck},
    KeyEntry{"deploy", read_deploy},
    KeyEntry{"mem_limit", read_resource_key},
    KeyEntry{"memswap_limit", read_resource_key},
    KeyEntry{"mem_reservation", read_resource_key},
    KeyEntry{"cpus", read_resource_key},
    KeyEntry{"cpu_shares", read_resource_key},
    KeyEntry{"cpu_quota", read_resource_key},
    KeyEntry{"cpu_period", read_resource_key},
    KeyEntry{"cpu_rt_runtime", read_resource_key},
    KeyEntry{"cpu_rt_period", read_resource_key},
    KeyEntry{"cpuset", read_resource_key},
    KeyEntry{"pids_limit", read_resource_key},
    KeyEntry{"blkio_config", read_blkio},
    KeyEntry{"ulimits", read_ulimits},
    KeyEntry{"sysctls", read_sysctls},
    KeyEntry{"cap_add", read_caps},
    KeyEntry{"cap_drop", read_caps},
    KeyEntry{"privileged", read_flag<&Service::privileged>},
    KeyEntry{"tty", read_flag<&Service::tty>},
    KeyEntry{"stdin_open", read_flag<&Service::stdin_open>},
    KeyEntry{"read_only", read_flag<&Service::read_only>},
    KeyEntry{"security_opt", read_security_opt},
    KeyEntry{"init", read_init},
    KeyEntry{"stop_signal", read_stop_signal},
    KeyEntry{"stop_grace_period", read_stop_grace_period},
    KeyEntry{"extra_hosts", read_extra_hosts},
    KeyEntry{"links", read_links},
    KeyEntry{"external_links", read_external_links},
    KeyEntry{"post_start", read_hooks},
    KeyEntry{"pre_stop", read_hooks},
    KeyEntry{"develop", read_develop},
    KeyEntry{"dns", read_dns},
    KeyEntry{"dns_search", read_dns_lines},
    KeyEntry{"dns_opt", read_dns_lines},
    KeyEntry{"devices", read_devices},
    KeyEntry{"ipc", read_namespace_mode},
    KeyEntry{"pid", read_namespace_mode},
    KeyEntry{"uts", read_namespace_mode},
    KeyEntry{"cgroup", read_cgroup},
    KeyEntry{"attach", read_flag<&Service::attach>},
    KeyEntry{"group_add", read_group_add},
    KeyEntry{"device_cgroup_rules", read_device_cgroup_rules},
    KeyEntry{"mem_swappiness", read_resource_key},
    KeyEntry{"oom_kill_disable", read_resource_key},
    KeyEntry{"oom_score_adj", read_oom_score_adj},
    KeyEntry{"shm_size", read_shm_size},
    KeyEntry{"pull_policy", read_pull_policy},
    KeyEntry{"scale", read_scale},
    KeyEntry{"profiles", read_profiles},
    KeyEntry{"build", read_build},
    KeyEntry{"logging", read_logging},
};

std::vector<std::string_view> known_keys() {
  std::vector<std::string_view> out;
  for (const auto& e : kHandlers) out.push_back(e.key);
  for (auto k : refused_service_keys()) out.push_back(k);
  return out;
}

// Returns whether a refused key was met: what it would have given (an image through extends, a
// build) is then unknown, so the checks that depend on it are skipped.
bool read_keys(ServiceDraft& d, const Node& value) {
  static const std::vector<std::string_view> known = known_keys();
  bool refused = false;
  check_keys(value, d.path, known, *d.diags);
  for (const auto& [k, v] : value.entries) {
    const std::string& key = k.scalar;
    std::string p = join_path(d.path, key);
    auto it = std::find_if(kHandlers.begin(), kHandlers.end(),
                           [&](const KeyEntry& e) { return e.key == key; });
    if (it != kHandlers.end()) {
      if (!v.is_null()) it->handler(d, v, p);  // a key without a value is unset, as in compose
    } else if (auto why = refusal(key)) {
      d.error(k, p, std::move(*why));
      refused = true;
    }
  }
  return refused;
}

bool by_priority(const ServiceNetwork& a, const ServiceNetwork& b) {
  if (a.priority != b.priority) return a.priority > b.priority;
  return a.key < b.key;
}

// A built image is named by `image`, else {project}-{service}. Such an image is never pulled.
void finish_build(ServiceDraft& d, const Node& value) {
  Service& s = d.service;
  if (!s.build) return;
  if (s.image.empty()) s.image = default_image_name(d.ctx->project_name, s.name);
  const Node* policy = value.find("pull_policy");
  if (policy && s.pull_policy == PullPolicy::always)
    d.error(*policy, join_path(d.path, "pull_policy"),
            "not supported yet with 'build': the image is built, never pulled (missing, build or never)");
}

void finish(ServiceDraft& d) {
  Service& s = d.service;
  if (d.env_file_env) s.environment = s.env_file_environment = *d.env_file_env;
  if (d.environment)
    for (auto& [k, v] : *d.environment) s.environment[k] = v;
  if (!d.restart_set && d.deploy_restart) s.restart = *d.deploy_restart;
  finish_resources(d);
  finish_security(d);
  finish_ports(d);
  finish_namespaces(d);
  finish_labels(d);
  finish_develop(d);
  s.mounts = d.volume_mounts;
  s.mounts.insert(s.mounts.end(), d.tmpfs_mounts.begin(), d.tmpfs_mounts.end());
  if (d.networks_node && d.network_mode_node && s.network_mode.kind != NetworkMode::Kind::bridge)
    d.error(*d.network_mode_node, join_path(d.path, "network_mode"),
            "cannot be combined with 'networks'");
  if (!d.networks_node && s.network_mode.kind == NetworkMode::Kind::bridge)
    s.networks.push_back(ServiceNetwork{"default", {}, {}, {}, 0, s.location});
  std::sort(s.networks.begin(), s.networks.end(), by_priority);
  if (d.mac_address) {
    std::string at = join_path(d.path, "mac_address");
    if (s.networks.empty())
      d.error(*d.mac_address->node, at, "needs a bridge network (network_mode is set)");
    else if (s.networks.front().mac_address && *s.networks.front().mac_address != d.mac_address->value)
      d.error(*d.mac_address->node, at, "differs from networks." + s.networks.front().key + ".mac_address");
    else
      s.networks.front().mac_address = d.mac_address->value;
  }
  // A link and volumes_from are dependencies, as compose-go's normalisation adds them: started and
  // required (a link also restarts with its target). A written depends_on entry keeps its own.
  auto implied = [&s](const std::string& service, bool restart, const Location& at) {
    auto same = [&](const Dependency& dep) { return dep.service == service; };
    if (std::none_of(s.depends_on.begin(), s.depends_on.end(), same))
      s.depends_on.push_back(Dependency{service, Condition::service_started, true, restart, at});
  };
  for (const Link& link : s.links) implied(link.service, true, link.location);
  for (const VolumesFrom& from : s.volumes_from) {
    if (!from.service.empty()) implied(from.service, false, from.location);
  }
  std::sort(s.depends_on.begin(), s.depends_on.end(),
            [](const Dependency& a, const Dependency& b) { return a.service < b.service; });
}

}  // namespace

std::optional<Service> normalize_service(const Node& key, const Node& value,
                                         const NormalizeContext& ctx, Diagnostics& diags) {
  ServiceDraft d;
  d.path = join_path("services", key.scalar);
  d.ctx = &ctx;
  d.diags = &diags;
  d.service.name = key.scalar;
  d.service.location = location_of(key, d.path);
  static const std::regex kName("[a-zA-Z0-9._-]+");
  if (!std::regex_match(key.scalar, kName))
    diags.error(key, d.path, "'" + key.scalar + "' is not a valid service name");
  if (!value.is_mapping()) {
    type_error(value, d.path, "a mapping", diags);
    return std::nullopt;
  }
  size_t before = diags.size();
  bool refused = read_keys(d, value);
  // An extension field (compose ignores x-*): stack reads this one, the others stay opaque.
  if (const Node* n = value.find("x-health-on-failure")) {
    read_health_on_failure(d, *n, join_path(d.path, "x-health-on-failure"));
  }
  const Node* build = value.find("build");
  if (!refused && d.service.image.empty() && !value.find("image") && (!build || build->is_null()))
    diags.error(key, d.path, "missing 'image'");
  finish_build(d, value);
  finish(d);
  if (diags.size() != before) return std::nullopt;
  return std::move(d.service);
}

}  // namespace stack::spec
