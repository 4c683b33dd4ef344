// The export's driver: which services, the names everything is given, then each service's pod,
// workload and Services, the claims and the network policies, in a fixed order.
#include <algorithm>
#include <array>

#include "kube/context.hpp"
#include "kube/names.hpp"

namespace stack::kube {

namespace {

using util::Errc;
using util::fail;

// The services asked for and everything they depend on (depends_on, network_mode service:).
util::Result<void> select_services(Context& ctx) {
  std::set<std::string> chosen;
  std::vector<std::string> todo = ctx.options.services;
  if (todo.empty())
    for (const spec::Service& s : ctx.stack.services) todo.push_back(s.name);
  for (const std::string& name : todo)
    if (ctx.stack.find_service(name) == nullptr)
      return fail(Errc::not_found, "unknown service '" + name + "'");
  while (!todo.empty()) {
    std::string name = todo.back();
    todo.pop_back();
    const spec::Service* s = ctx.stack.find_service(name);
    if (s == nullptr || !chosen.insert(name).second) continue;
    for (const spec::Dependency& dep : s->depends_on) todo.push_back(dep.service);
    if (s->network_mode.kind == spec::NetworkMode::Kind::service)
      todo.push_back(s->network_mode.target);
  }
  for (const spec::Service& s : ctx.stack.services)
    if (chosen.count(s.name) != 0) ctx.services.push_back(&s);
  return util::ok();
}

// Gives each of `keys` a valid name; two keys with one name is an error.
util::Result<void> name_all(const std::vector<std::pair<std::string, std::string>>& keys,
                            std::string_view what, std::map<std::string, std::string>& out) {
  std::map<std::string, std::string> owner;
  for (const auto& [key, name] : keys) {
    if (name.empty())
      return fail(Errc::invalid_argument, std::string(what) + " '" + key +
                                              "' has no character that Kubernetes allows in a name");
    auto [it, fresh] = owner.emplace(name, key);
    if (!fresh)
      return fail(Errc::conflict, std::string(what) + "s '" + it->second + "' and '" + key +
                                      "' both become '" + name + "' in Kubernetes");
    out[key] = name;
  }
  return util::ok();
}

// The secrets or configs that exported services mount, each named as compose names it
// (<project>_<key>), made valid.
std::vector<std::pair<std::string, std::string>> mounted_sources(
    const Context& ctx, std::vector<spec::FileMount> spec::Service::*mounts) {
  std::map<std::string, std::string> used;
  for (const spec::Service* s : ctx.services)
    for (const spec::FileMount& m : s->*mounts)
      used.emplace(m.source, to_dns_label(ctx.stack.name + "-" + m.source));
  return {used.begin(), used.end()};
}

util::Result<void> assign_names(Context& ctx) {
  std::vector<std::pair<std::string, std::string>> services, volumes, networks;
  for (const spec::Service* s : ctx.services) {
    std::string name = to_dns_label(s->name);
    // A Service name must start with a letter (DNS-1035).
    if (!name.empty() && !is_dns1035_label(name)) name = to_dns_label("s-" + name);
    if (name != s->name)
      ctx.warnings.add("services." + s->name,
                       "named '" + name + "' in Kubernetes (names are lower-case DNS labels): "
                       "containers that reach it as '" + s->name + "' must use '" + name + "'");
    services.emplace_back(s->name, name);
  }
  for (const spec::Volume& v : ctx.stack.volumes)
    volumes.emplace_back(v.key, to_dns_label(v.external ? v.name : v.key));
  for (const spec::Network& n : ctx.stack.networks)
    networks.emplace_back(n.key, kNetworkLabelPrefix + to_dns_label(n.key));
  STACK_TRY(name_all(services, "service", ctx.service_names));
  STACK_TRY(name_all(volumes, "volume", ctx.claim_names));
  STACK_TRY(name_all(mounted_sources(ctx, &spec::Service::secrets), "secret", ctx.secret_names));
  STACK_TRY(name_all(mounted_sources(ctx, &spec::Service::configs), "config", ctx.config_names));
  return name_all(networks, "network", ctx.network_labels);
}

// Jobs: services that are meant to end (restart no or on-failure) and every target of
// service_completed_successfully.
void classify(Context& ctx) {
  using Kind = spec::RestartPolicy::Kind;
  for (const spec::Service* s : ctx.services) {
    if (s->restart.kind == Kind::no || s->restart.kind == Kind::on_failure) ctx.jobs.insert(s->name);
    for (const spec::Dependency& dep : s->depends_on) {
      if (!ctx.exported(dep.service)) continue;
      ctx.reached.insert(dep.service);
      if (dep.condition == spec::Condition::service_completed_successfully)
        ctx.jobs.insert(dep.service);
    }
  }
}

util::Result<void> export_service(Context& ctx, const spec::Service& service) {
  json container = make_container(ctx, service);
  json pod = json::object();
  add_probes(ctx, service, container);
  add_resources(ctx, service, container);
  add_security(ctx, service, container, pod);
  STACK_TRY(add_volumes(ctx, service, container, pod));
  add_file_mounts(ctx, service, container, pod);
  pod["containers"] = json::array({std::move(container)});
  add_wait_containers(ctx, service, pod);
  add_pod_settings(ctx, service, pod);
  add_workload(ctx, service, std::move(pod));
  add_services(ctx, service);
  return util::ok();
}

int kind_rank(const std::string& kind) {
  static constexpr std::array<std::string_view, 7> kOrder = {
      "ConfigMap", "Secret", "PersistentVolumeClaim", "Service", "Deployment", "Job",
      "NetworkPolicy"};
  auto it = std::find(kOrder.begin(), kOrder.end(), kind);
  return static_cast<int>(it - kOrder.begin());
}

}  // namespace

json Context::metadata(const std::string& name, const spec::Service* owner) const {
  json labels = {{kPartOfLabel, to_label_value(stack.name)}, {kManagedByLabel, "stack"}};
  if (owner != nullptr) labels[kNameLabel] = name_of(owner->name);
  if (labels[kPartOfLabel] == "") labels.erase(kPartOfLabel);
  json meta = {{"name", name}, {"labels", std::move(labels)}};
  if (!options.namespace_name.empty()) meta["namespace"] = options.namespace_name;
  return meta;
}

json Context::selector_labels(const spec::Service& service) const {
  json labels = {{kNameLabel, name_of(service.name)}};
  std::string project = to_label_value(stack.name);
  if (!project.empty()) labels[kPartOfLabel] = project;
  return labels;
}

void Context::add(std::string api_version, std::string kind, std::string name, json body) {
  body["apiVersion"] = std::move(api_version);
  body["kind"] = kind;
  objects.push_back(Object{std::move(kind), std::move(name), std::move(body)});
}

std::string Context::path(const spec::Service& service, const std::string& key) {
  return "services." + service.name + (key.empty() ? "" : "." + key);
}

std::string escape_expansion(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '$' && i + 1 < text.size() && (text[i + 1] == '$' || text[i + 1] == '('))
      out += '$';
  }
  return out;
}

util::Result<Export> generate(const spec::Stack& stack, const Options& options,
                              const FileSource& files) {
  if (!options.namespace_name.empty() && !is_dns1123_label(options.namespace_name))
    return fail(Errc::invalid_argument,
                "namespace '" + options.namespace_name + "' is not a valid DNS-1123 label");
  Context ctx{stack, options, files};
  STACK_TRY(select_services(ctx));
  STACK_TRY(assign_names(ctx));
  classify(ctx);
  for (const spec::Service* service : ctx.services)
    STACK_TRY(export_service(ctx, *service));  // its messages start with the key path
  add_claims(ctx);
  STACK_TRY(add_file_objects(ctx));
  add_network_policies(ctx);
  std::stable_sort(ctx.objects.begin(), ctx.objects.end(), [](const Object& a, const Object& b) {
    int ra = kind_rank(a.kind), rb = kind_rank(b.kind);
    return ra != rb ? ra < rb : a.name < b.name;
  });
  STACK_TRY(check_objects(ctx.objects));
  return Export{std::move(ctx.objects), ctx.warnings.list()};
}

}  // namespace stack::kube
