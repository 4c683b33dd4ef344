// Pod-level keys: hostname, extra_hosts (and links' aliases), init, stop_grace_period, network_mode, dns_search and
// dns_opt; and the keys that have no pod field, each with its warning.
#include <algorithm>
#include <map>
#include <tuple>

#include "kube/context.hpp"
#include "kube/names.hpp"
#include "kube/quantity.hpp"

namespace stack::kube {

namespace {

void add_host_aliases(Context& ctx, const spec::Service& s, json& pod) {
  std::map<std::string, json> by_address;
  for (const spec::ExtraHost& h : s.extra_hosts) {
    if (h.address == "host-gateway") {
      ctx.warnings.add(Context::path(s, "extra_hosts." + h.hostname),
                       "dropped: 'host-gateway' has no address in a cluster");
      continue;
    }
    by_address[h.address].push_back(h.hostname);
  }
  json aliases = json::array();
  for (auto& [address, names] : by_address) {
    std::sort(names.begin(), names.end());
    aliases.push_back({{"ip", address}, {"hostnames", std::move(names)}});
  }
  if (!aliases.empty()) pod["hostAliases"] = std::move(aliases);
  // A link's own name is the linked service's Service; an alias has no address to pin.
  for (const spec::Link& link : s.links) {
    if (link.alias == link.service) continue;
    ctx.warnings.add(Context::path(s, "links"),
                     "alias '" + link.alias + "' dropped: '" + link.service + "' is reached by its Service's name");
  }
  if (!s.external_links.empty()) {
    ctx.warnings.add(Context::path(s, "external_links"),
                     "dropped: a container outside the stack has no Service; make it one and use its name");
  }
}

void add_identity(Context& ctx, const spec::Service& s, json& pod) {
  if (!s.hostname.empty()) {
    if (is_dns1123_label(s.hostname)) pod["hostname"] = s.hostname;
    else
      ctx.warnings.add(Context::path(s, "hostname"),
                       "'" + s.hostname + "' dropped: a pod's hostname is one DNS-1123 label");
  }
  if (!s.domainname.empty())
    ctx.warnings.add(Context::path(s, "domainname"),
                     "dropped: a pod's domain is its Service's (subdomain), not free text");
  if (!s.container_name.empty())
    ctx.warnings.add(Context::path(s, "container_name"),
                     "dropped: pod names are made by the workload ('" + ctx.name_of(s.name) + "-...')");
}

void add_network_mode(Context& ctx, const spec::Service& s, json& pod) {
  using Kind = spec::NetworkMode::Kind;
  const spec::NetworkMode& mode = s.network_mode;
  std::string path = Context::path(s, "network_mode");
  switch (mode.kind) {
    case Kind::bridge: break;
    case Kind::host: pod["hostNetwork"] = true; break;
    case Kind::none:
      ctx.warnings.add(path, "dropped: every pod has the cluster's network");
      break;
    case Kind::service:
    case Kind::container:
      ctx.warnings.add(path, "dropped: '" + mode.target + "' runs in a pod of its own, so its "
                             "network namespace is not shared (localhost does not reach it)");
      break;
  }
  for (const spec::ServiceNetwork& n : s.networks) {
    if (n.ipv4_address || n.ipv6_address || n.mac_address)
      ctx.warnings.add(Context::path(s, "networks." + n.key),
                       "static addresses dropped: the cluster's network assigns pod addresses");
  }
  if (!s.dns.empty())
    ctx.warnings.add(Context::path(s, "dns"),
                     "dropped: pods resolve through the cluster's DNS, which forwards other names");
  // dnsConfig adds to the cluster's resolv.conf (dnsPolicy ClusterFirst), as compose's keys do.
  json dns_config = json::object();
  if (!s.dns_search.empty() && !(s.dns_search.size() == 1 && s.dns_search[0] == ".")) {
    dns_config["searches"] = s.dns_search;
  }
  for (const std::string& o : s.dns_opt) {
    auto colon = o.find(':');
    json option{{"name", o.substr(0, colon)}};
    if (colon != std::string::npos) option["value"] = o.substr(colon + 1);
    dns_config["options"].push_back(std::move(option));
  }
  if (!dns_config.empty()) pod["dnsConfig"] = std::move(dns_config);
}

// ipc and pid host are pod fields; a namespace of another service is not (it runs in its own pod).
void add_namespaces(Context& ctx, const spec::Service& s, json& pod) {
  using Kind = spec::NamespaceMode::Kind;
  for (auto [key, mode, field] : {std::tuple{"ipc", &s.ipc, "hostIPC"}, std::tuple{"pid", &s.pid, "hostPID"}}) {
    if (mode->kind == Kind::host) pod[field] = true;
    if (mode->kind == Kind::service || mode->kind == Kind::container)
      ctx.warnings.add(Context::path(s, key), "dropped: '" + mode->target + "' runs in a pod of its own");
  }
  if (s.uts.kind == Kind::host) ctx.warnings.add(Context::path(s, "uts"), "dropped: a pod has no host UTS namespace");
  for (const spec::VolumesFrom& from : s.volumes_from) {
    const std::string source = from.container.empty() ? from.service : "container:" + from.container;
    ctx.warnings.add(Context::path(s, "volumes_from"),
                     "'" + source + "' dropped: its volumes belong to a pod of its own; name them in volumes");
  }
}

// Host-level knobs that a pod spec has no field for.
void add_host_knobs(Context& ctx, const spec::Service& s) {
  if (!s.devices.empty())
    ctx.warnings.add(Context::path(s, "devices"), "dropped: host devices reach pods through a device plugin");
  if (!s.device_cgroup_rules.empty())
    ctx.warnings.add(Context::path(s, "device_cgroup_rules"), "dropped: a pod has no device cgroup rules");
  if (s.oom_score_adj)
    ctx.warnings.add(Context::path(s, "oom_score_adj"), "dropped: the kubelet sets it from the pod's QoS class");
  if (s.resources.memory_swappiness)
    ctx.warnings.add(Context::path(s, "mem_swappiness"), "dropped: swap is the node's setting");
  if (s.resources.oom_kill_disable)
    ctx.warnings.add(Context::path(s, "oom_kill_disable"), "dropped: a pod cannot disable the OOM killer");
  if (s.resources.cpu_rt_runtime || s.resources.cpu_rt_period)
    ctx.warnings.add(Context::path(s, "cpu_rt_runtime"), "dropped: a pod has no real-time CPU time (cgroup v2 nodes have none)");
}

void add_lifecycle(Context& ctx, const spec::Service& s, json& pod) {
  // init: true puts a reaper at PID 1; a shared process namespace does the same (pause is PID 1).
  if (s.init.value_or(false)) pod["shareProcessNamespace"] = true;
  if (s.stop_grace_period) {
    Seconds secs = whole_seconds(*s.stop_grace_period, 0);
    pod["terminationGracePeriodSeconds"] = secs.value;
    if (!secs.exact)
      ctx.warnings.add(Context::path(s, "stop_grace_period"),
                       "rounded up to " + std::to_string(secs.value) + "s (whole seconds)");
  }
  if (!s.stop_signal.empty() && s.stop_signal != "SIGTERM")
    ctx.warnings.add(Context::path(s, "stop_signal"),
                     s.stop_signal + " dropped: the kubelet stops containers with SIGTERM");
  if (s.logging.driver != "json-file" || s.logging.max_size || s.logging.max_file)
    ctx.warnings.add(Context::path(s, "logging"),
                     "dropped: container logs are the kubelet's, rotated by its settings");
}

}  // namespace

void add_pod_settings(Context& ctx, const spec::Service& s, json& pod) {
  add_host_aliases(ctx, s, pod);
  add_identity(ctx, s, pod);
  add_network_mode(ctx, s, pod);
  add_lifecycle(ctx, s, pod);
  add_host_knobs(ctx, s);
  add_namespaces(ctx, s, pod);
}

}  // namespace stack::kube
