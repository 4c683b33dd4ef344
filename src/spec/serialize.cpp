#include "spec/serialize.hpp"

#include <cstdio>
#include <string>

#include "util/duration.hpp"

namespace stack::spec {

using nlohmann::json;

namespace {

// compose prints byte sizes (its UnitBytes) as decimal strings, in YAML and in JSON alike.
std::string bytes(int64_t n) { return std::to_string(n); }

std::string duration(Duration d) { return util::format_duration(d); }

// pull_policy of PullPolicy::refresh as compose writes it: daily, weekly, every_1w2d3h.
std::string refresh_text(std::chrono::seconds window) {
  int64_t left = window.count();
  if (left == 86400) return "daily";
  if (left == 7 * 86400) return "weekly";
  std::string out = "every_";
  for (auto [unit, seconds] : {std::pair{'w', 7 * 86400}, {'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}}) {
    if (left >= seconds) out += std::to_string(left / seconds) + unit;
    left %= seconds;
  }
  return out;
}

void put_string(json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

template <class Container>
void put_list(json& j, const char* key, const Container& value) {
  if (!value.empty()) j[key] = value;
}

void put_true(json& j, const char* key, bool value) {
  if (value) j[key] = true;
}

json port_json(const Port& port) {
  json j{{"target", port.target}, {"protocol", port.protocol}, {"mode", port.mode}};
  if (port.published_min != 0) {
    std::string published = std::to_string(port.published_min);
    if (port.published_max > port.published_min) {
      published += "-" + std::to_string(port.published_max);
    }
    j["published"] = published;
  }
  put_string(j, "host_ip", port.host_ip);
  put_string(j, "name", port.name);
  put_string(j, "app_protocol", port.app_protocol);
  return j;
}

json mount_json(const Mount& mount) {
  json j{{"type", to_string(mount.type)}, {"target", mount.target}};
  put_string(j, "source", mount.source);
  put_true(j, "read_only", mount.read_only);
  switch (mount.type) {
    case MountType::bind: {
      json bind = json::object();
      put_true(bind, "create_host_path", mount.create_host_path);
      put_string(bind, "propagation", mount.propagation);
      put_string(bind, "selinux", mount.selinux);
      if (!bind.empty()) j["bind"] = bind;
      break;
    }
    case MountType::volume: {
      json volume = json::object();
      put_true(volume, "nocopy", mount.nocopy);
      put_string(volume, "subpath", mount.subpath);
      if (!volume.empty()) j["volume"] = volume;
      break;
    }
    case MountType::image: {
      json image = json::object();
      put_string(image, "subpath", mount.subpath);
      if (!image.empty()) j["image"] = image;
      break;
    }
    case MountType::tmpfs: {
      json tmpfs = json::object();
      if (mount.tmpfs_size) tmpfs["size"] = bytes(*mount.tmpfs_size);
      if (mount.tmpfs_mode) tmpfs["mode"] = *mount.tmpfs_mode;
      if (!mount.tmpfs_options.empty()) tmpfs["options"] = mount.tmpfs_options;
      if (!tmpfs.empty()) j["tmpfs"] = tmpfs;
      break;
    }
  }
  return j;
}

// compose writes `default: null` for a network attached without options; so do we.
json service_networks_json(const std::vector<ServiceNetwork>& networks) {
  json j = json::object();
  for (const ServiceNetwork& net : networks) {
    json entry = json::object();
    put_list(entry, "aliases", net.aliases);
    if (net.ipv4_address) entry["ipv4_address"] = net.ipv4_address->str();
    if (net.ipv6_address) entry["ipv6_address"] = net.ipv6_address->str();
    if (net.mac_address) entry["mac_address"] = *net.mac_address;
    if (net.priority != 0) entry["priority"] = net.priority;
    j[net.key] = entry.empty() ? json(nullptr) : entry;
  }
  return j;
}

json depends_on_json(const std::vector<Dependency>& deps) {
  json j = json::object();
  for (const Dependency& dep : deps) {
    json entry{{"condition", to_string(dep.condition)}, {"required", dep.required}};
    put_true(entry, "restart", dep.restart);
    j[dep.service] = entry;
  }
  return j;
}

json healthcheck_json(const Healthcheck& hc) {
  json j = json::object();
  put_list(j, "test", hc.test);
  if (hc.interval) j["interval"] = duration(*hc.interval);
  if (hc.timeout) j["timeout"] = duration(*hc.timeout);
  if (hc.start_period) j["start_period"] = duration(*hc.start_period);
  if (hc.start_interval) j["start_interval"] = duration(*hc.start_interval);
  if (hc.retries) j["retries"] = *hc.retries;
  put_true(j, "disable", hc.disable);
  return j;
}

// compose keeps log options as the strings docker takes ("max-size", "max-file").
json logging_json(const Logging& logging) {
  json j{{"driver", logging.driver}};
  json options = json::object();
  if (logging.max_size) options["max-size"] = logging.max_size_text.empty() ? bytes(*logging.max_size) : logging.max_size_text;
  if (logging.max_file) options["max-file"] = std::to_string(*logging.max_file);
  if (!options.empty()) j["options"] = options;
  return j;
}

std::string restart_text(const RestartPolicy& restart) {
  std::string text(to_string(restart.kind));
  if (restart.kind == RestartPolicy::Kind::on_failure && restart.max_retries) {
    text += ":" + std::to_string(*restart.max_retries);
  }
  return text;
}

std::string network_mode_text(const NetworkMode& mode) {
  std::string text(to_string(mode.kind));
  if (!mode.target.empty()) text += ":" + mode.target;
  return text;
}

// "host", "service:db", "container:x"; nothing for the container's own namespace.
void put_namespace(json& j, const char* key, const NamespaceMode& mode) {
  switch (mode.kind) {
    case NamespaceMode::Kind::own: return;
    case NamespaceMode::Kind::host: j[key] = "host"; return;
    case NamespaceMode::Kind::service: j[key] = "service:" + mode.target; return;
    case NamespaceMode::Kind::container: j[key] = "container:" + mode.target; return;
  }
}

// deploy.resources holds what compose keeps there (cpus, memory, pids); the knobs compose only
// has as service keys (cpu_shares, cpuset, blkio_config, ...) stay service keys.
json deploy_json(const Service& service) {
  const Resources& r = service.resources;
  json limits = json::object();
  if (r.cpus) limits["cpus"] = *r.cpus;
  if (r.memory) limits["memory"] = bytes(*r.memory);
  if (r.pids) limits["pids"] = *r.pids;
  json reservations = json::object();
  if (r.reservation_cpus) reservations["cpus"] = *r.reservation_cpus;
  if (r.memory_reservation) reservations["memory"] = bytes(*r.memory_reservation);
  json resources = json::object();
  if (!limits.empty()) resources["limits"] = limits;
  if (!reservations.empty()) resources["reservations"] = reservations;
  json deploy = json::object();
  if (!resources.empty()) deploy["resources"] = resources;
  if (service.replicas != 1) deploy["replicas"] = service.replicas;
  return deploy;
}

json rates_json(const std::vector<DeviceRate>& rates, bool in_bytes) {
  json j = json::array();
  for (const DeviceRate& rate : rates) {
    json value = in_bytes ? json(std::to_string(rate.rate)) : json(rate.rate);
    j.push_back(json{{"path", rate.path}, {"rate", value}});
  }
  return j;
}

json blkio_json(const Blkio& blkio) {
  json j = json::object();
  if (blkio.weight) j["weight"] = *blkio.weight;
  if (!blkio.weight_device.empty()) {
    json& devices = j["weight_device"] = json::array();
    for (const DeviceRate& d : blkio.weight_device) {
      devices.push_back(json{{"path", d.path}, {"weight", d.rate}});
    }
  }
  if (!blkio.device_read_bps.empty()) {
    j["device_read_bps"] = rates_json(blkio.device_read_bps, true);
  }
  if (!blkio.device_write_bps.empty()) {
    j["device_write_bps"] = rates_json(blkio.device_write_bps, true);
  }
  if (!blkio.device_read_iops.empty()) {
    j["device_read_iops"] = rates_json(blkio.device_read_iops, false);
  }
  if (!blkio.device_write_iops.empty()) {
    j["device_write_iops"] = rates_json(blkio.device_write_iops, false);
  }
  return j;
}

void put_resources(json& j, const Service& service) {
  const Resources& r = service.resources;
  json deploy = deploy_json(service);
  if (!deploy.empty()) j["deploy"] = deploy;
  if (r.memswap) j["memswap_limit"] = bytes(*r.memswap);
  if (r.cpu_shares) j["cpu_shares"] = *r.cpu_shares;
  if (r.cpu_quota) j["cpu_quota"] = *r.cpu_quota;
  if (r.cpu_period) j["cpu_period"] = *r.cpu_period;
  if (r.cpu_rt_runtime) j["cpu_rt_runtime"] = *r.cpu_rt_runtime;
  if (r.cpu_rt_period) j["cpu_rt_period"] = *r.cpu_rt_period;
  if (r.cpuset) j["cpuset"] = *r.cpuset;
  if (r.memory_swappiness) j["mem_swappiness"] = *r.memory_swappiness;
  put_true(j, "oom_kill_disable", r.oom_kill_disable);
  json blkio = blkio_json(r.blkio);
  if (!blkio.empty()) j["blkio_config"] = blkio;
}

// compose prints a ulimit set as one number when soft and hard agree.
json ulimits_json(const std::map<std::string, Ulimit>& ulimits) {
  json j = json::object();
  for (const auto& [name, limit] : ulimits) {
    j[name] = limit.soft == limit.hard ? json(limit.soft)
                                       : json{{"soft", limit.soft}, {"hard", limit.hard}};
  }
  return j;
}

json extra_hosts_json(const std::vector<ExtraHost>& hosts) {
  json j = json::array();
  // "=" as compose writes it now: an IPv6 address has colons of its own
  for (const ExtraHost& h : hosts) j.push_back(h.hostname + "=" + h.address);
  return j;
}

json build_json(const Build& build) {
  json j{{"context", build.context}};
  put_string(j, "dockerfile", build.dockerfile);
  put_string(j, "dockerfile_inline", build.dockerfile_inline);
  put_list(j, "args", build.args);
  put_string(j, "target", build.target);
  put_list(j, "labels", build.labels);
  put_string(j, "network", build.network);
  put_true(j, "no_cache", build.no_cache);
  put_true(j, "pull", build.pull);
  put_list(j, "tags", build.tags);
  if (build.shm_size) j["shm_size"] = bytes(*build.shm_size);
  if (!build.extra_hosts.empty()) j["extra_hosts"] = extra_hosts_json(build.extra_hosts);
  for (const BuildSecret& secret : build.secrets) {
    j["secrets"].push_back(secret.id == secret.source ? json(secret.source) : json{{"source", secret.source}, {"target", secret.id}});
  }
  for (const BuildContext& c : build.additional_contexts) j["additional_contexts"][c.name] = c.value;
  for (const auto& [id, socket] : build.ssh) j["ssh"].push_back(socket.empty() ? id : id + "=" + socket);
  for (const util::CacheOption& c : build.cache_from) j["cache_from"].push_back(util::cache_option_text(c, util::CacheDirection::from));
  for (const util::CacheOption& c : build.cache_to) j["cache_to"].push_back(util::cache_option_text(c, util::CacheDirection::to));
  return j;
}

json hook_json(const LifecycleHook& h) {
  json item{{"command", h.command}};
  put_string(item, "user", h.user);
  put_true(item, "privileged", h.privileged);
  put_string(item, "working_dir", h.working_dir);
  put_list(item, "environment", h.environment);
  return item;
}

json develop_json(const Service& service) {
  json watch = json::array();
  for (const WatchRule& rule : service.watch) {
    json item{{"path", rule.path}, {"action", to_string(rule.action)}};
    put_string(item, "target", rule.target);
    put_list(item, "ignore", rule.ignore);
    put_list(item, "include", rule.include);
    put_true(item, "initial_sync", rule.initial_sync);
    if (rule.exec) item["exec"] = hook_json(*rule.exec);
    watch.push_back(std::move(item));
  }
  json j = json::object();
  if (!watch.empty()) j["watch"] = std::move(watch);
  return j;
}

void put_process(json& j, const Service& service) {
  put_string(j, "image", service.image);
  if (service.entrypoint) j["entrypoint"] = *service.entrypoint;
  if (service.command) j["command"] = *service.command;
  put_list(j, "environment", service.environment);
  put_string(j, "working_dir", service.working_dir);
  put_string(j, "user", service.user);
  put_string(j, "hostname", service.hostname);
  put_string(j, "domainname", service.domainname);
  put_string(j, "container_name", service.container_name);
  put_string(j, "platform", service.platform);
  put_list(j, "labels", service.labels);
  put_list(j, "annotations", service.annotations);
  if (service.init) j["init"] = *service.init;
  for (auto [key, hooks] : {std::pair{"post_start", &service.post_start}, std::pair{"pre_stop", &service.pre_stop}}) {
    if (hooks->empty()) continue;
    json& list = j[key] = json::array();
    for (const LifecycleHook& h : *hooks) list.push_back(hook_json(h));
  }
  if (service.develop) j["develop"] = develop_json(service);
  put_true(j, "tty", service.tty);
  put_true(j, "stdin_open", service.stdin_open);
  put_string(j, "stop_signal", service.stop_signal);
  if (service.stop_grace_period) j["stop_grace_period"] = duration(*service.stop_grace_period);
  if (service.restart.kind != RestartPolicy::Kind::no) j["restart"] = restart_text(service.restart);
  if (service.healthcheck) j["healthcheck"] = healthcheck_json(*service.healthcheck);
  if (service.health_on_failure != Service::HealthAction::none) {
    j["x-health-on-failure"] = std::string(to_string(service.health_on_failure));
  }
  if (service.pull_policy == PullPolicy::refresh) j["pull_policy"] = refresh_text(service.pull_refresh);
  else if (service.pull_policy != PullPolicy::missing) j["pull_policy"] = to_string(service.pull_policy);
  if (service.build) j["build"] = build_json(*service.build);
  if (service.logging != Logging{}) j["logging"] = logging_json(service.logging);
  put_list(j, "profiles", service.profiles);
  if (!service.attach) j["attach"] = false;
}

void put_network(json& j, const Service& service) {
  if (!service.ports.empty()) {
    json& ports = j["ports"] = json::array();
    for (const Port& port : service.ports) ports.push_back(port_json(port));
  }
  put_list(j, "expose", service.expose);
  if (service.network_mode.kind != NetworkMode::Kind::bridge) {
    j["network_mode"] = network_mode_text(service.network_mode);
  }
  if (!service.networks.empty()) j["networks"] = service_networks_json(service.networks);
  put_namespace(j, "ipc", service.ipc);
  put_namespace(j, "pid", service.pid);
  put_namespace(j, "uts", service.uts);
  if (!service.extra_hosts.empty()) j["extra_hosts"] = extra_hosts_json(service.extra_hosts);
  put_list(j, "dns", service.dns);
  put_list(j, "dns_search", service.dns_search);
  put_list(j, "dns_opt", service.dns_opt);
  if (!service.links.empty()) {
    json& links = j["links"] = json::array();
    for (const Link& l : service.links) links.push_back(l.alias == l.service ? l.service : l.service + ":" + l.alias);
  }
  if (!service.external_links.empty()) {
    json& links = j["external_links"] = json::array();
    for (const ExternalLink& l : service.external_links) {
      links.push_back(l.alias == l.container ? l.container : l.container + ":" + l.alias);
    }
  }
}

void put_security(json& j, const Service& service) {
  put_list(j, "cap_add", service.cap_add);
  put_list(j, "cap_drop", service.cap_drop);
  put_true(j, "privileged", service.privileged);
  put_true(j, "read_only", service.read_only);
  put_list(j, "security_opt", service.security_opt);
  put_list(j, "sysctls", service.sysctls);
  if (!service.ulimits.empty()) j["ulimits"] = ulimits_json(service.ulimits);
  if (!service.devices.empty()) {
    json& devices = j["devices"] = json::array();
    for (const DeviceMapping& d : service.devices) {
      devices.push_back({{"source", d.source}, {"target", d.target}, {"permissions", d.permissions}});
    }
  }
  put_list(j, "device_cgroup_rules", service.device_cgroup_rules);
  put_list(j, "group_add", service.group_add);
  if (service.cgroup_host) j["cgroup"] = "host";
  if (service.oom_score_adj) j["oom_score_adj"] = *service.oom_score_adj;
}

// compose's long form; uid and gid as the strings compose prints, the mode as its octal string.
json file_mounts_json(const std::vector<FileMount>& mounts) {
  json j = json::array();
  for (const FileMount& m : mounts) {
    json entry{{"source", m.source}, {"target", m.target}};
    if (m.uid) entry["uid"] = std::to_string(*m.uid);
    if (m.gid) entry["gid"] = std::to_string(*m.gid);
    if (m.mode) {
      char octal[16];
      std::snprintf(octal, sizeof octal, "%04o", *m.mode);
      entry["mode"] = octal;
    }
    j.push_back(entry);
  }
  return j;
}

// Where the content comes from, never the content of a variable: `config` output and the
// project record may be read by anyone who can read the stack file's directory.
json file_source_json(const std::string& project, const FileSource& src) {
  json j{{"name", project + "_" + src.key}};
  switch (src.kind) {
    case FileSource::Kind::file: j["file"] = src.file; break;
    case FileSource::Kind::environment: j["environment"] = src.variable; break;
    case FileSource::Kind::content: j["content"] = src.content; break;
  }
  return j;
}

}  // namespace

json to_json(const Service& service) {
  json j = json::object();
  put_process(j, service);
  put_network(j, service);
  put_security(j, service);
  put_resources(j, service);
  if (!service.mounts.empty()) {
    json& volumes = j["volumes"] = json::array();
    for (const Mount& mount : service.mounts) volumes.push_back(mount_json(mount));
  }
  if (!service.volumes_from.empty()) {
    json& from = j["volumes_from"] = json::array();
    for (const VolumesFrom& f : service.volumes_from) {
      const std::string source = f.container.empty() ? f.service : "container:" + f.container;
      from.push_back(source + (f.read_only ? (*f.read_only ? ":ro" : ":rw") : ""));
    }
  }
  if (!service.secrets.empty()) j["secrets"] = file_mounts_json(service.secrets);
  if (!service.configs.empty()) j["configs"] = file_mounts_json(service.configs);
  if (!service.depends_on.empty()) j["depends_on"] = depends_on_json(service.depends_on);
  if (service.shm_size) j["shm_size"] = bytes(*service.shm_size);
  return j;
}

namespace {

// One ipam.config entry, IPv4 (IpamPool) or IPv6 (IpamPool6).
template <class Pool>
json pool_json(const Pool& pool) {
  json entry{{"subnet", pool.subnet.str()}};
  if (pool.gateway) entry["gateway"] = pool.gateway->str();
  if (pool.ip_range) entry["ip_range"] = pool.ip_range->str();
  if (!pool.aux_addresses.empty()) {
    json aux = json::object();
    for (const auto& [host, address] : pool.aux_addresses) aux[host] = address.str();
    entry["aux_addresses"] = aux;
  }
  return entry;
}

}  // namespace

json to_json(const Network& network) {
  json j{{"name", network.name}};
  if (network.driver != "bridge") j["driver"] = network.driver;
  put_true(j, "internal", network.internal);
  put_true(j, "external", network.external);
  put_true(j, "attachable", network.attachable);
  put_true(j, "enable_ipv6", network.enable_ipv6);
  json ipam = json::object();
  if (network.ipam_driver != "default") ipam["driver"] = network.ipam_driver;
  if (!network.ipam.empty()) {
    json& pools = ipam["config"] = json::array();
    for (const IpamPool& pool : network.ipam) pools.push_back(pool_json(pool));
  }
  if (!network.ipam6.empty()) {
    if (!ipam.contains("config")) ipam["config"] = json::array();
    for (const IpamPool6& pool : network.ipam6) ipam["config"].push_back(pool_json(pool));
  }
  if (!ipam.empty()) j["ipam"] = ipam;
  put_list(j, "driver_opts", network.driver_opts);
  put_list(j, "labels", network.labels);
  return j;
}

json to_json(const Volume& volume) {
  json j{{"name", volume.name}};
  if (volume.driver != "local") j["driver"] = volume.driver;
  put_true(j, "external", volume.external);
  put_list(j, "driver_opts", volume.driver_opts);
  put_list(j, "labels", volume.labels);
  return j;
}

json escape_dollars(json value) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text.find('$') == std::string::npos) return value;
    std::string out;
    for (char c : text) {
      if (c == '$') out += '$';
      out += c;
    }
    return out;
  }
  if (value.is_structured())
    for (auto& item : value) item = escape_dollars(std::move(item));
  return value;
}

json to_json(const Stack& stack) {
  json services = json::object();
  for (const Service& service : stack.services) services[service.name] = to_json(service);
  json j{{"name", stack.name}, {"services", services}};
  if (!stack.networks.empty()) {
    json& networks = j["networks"] = json::object();
    for (const Network& network : stack.networks) networks[network.key] = to_json(network);
  }
  if (!stack.volumes.empty()) {
    json& volumes = j["volumes"] = json::object();
    for (const Volume& volume : stack.volumes) volumes[volume.key] = to_json(volume);
  }
  for (auto [key, list] : {std::pair{"secrets", &stack.secrets}, std::pair{"configs", &stack.configs}}) {
    if (list->empty()) continue;
    json& out = j[key] = json::object();
    for (const FileSource& src : *list) out[src.key] = file_source_json(stack.name, src);
  }
  return j;
}

}  // namespace stack::spec
