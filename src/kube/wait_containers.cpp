// depends_on -> initContainers that wait for each dependency's Service: a TCP connection to one
// of its ports goes through only when a pod of it is ready (started, or healthy when it has a
// healthcheck); a port-less dependency's headless Service resolves only then.
#include "kube/context.hpp"
#include "kube/names.hpp"

namespace stack::kube {

namespace {

std::string wait_script(Context& ctx, const spec::Service& dep) {
  const std::string& host = ctx.name_of(dep.name);
  std::vector<ContainerPort> ports = container_ports(ctx, dep);
  std::string check;
  for (const ContainerPort& p : ports)
    if (p.protocol == "TCP") {
      check = "nc -z -w 2 " + host + " " + std::to_string(p.port);
      break;
    }
  if (check.empty()) check = "nslookup " + host + " >/dev/null 2>&1";
  return "until " + check + "; do echo 'waiting for " + host + "'; sleep 2; done";
}

}  // namespace

void add_wait_containers(Context& ctx, const spec::Service& s, json& pod) {
  json init = json::array();
  for (const spec::Dependency& dep : s.depends_on) {
    if (!ctx.exported(dep.service)) continue;
    std::string path = Context::path(s, "depends_on." + dep.service);
    if (dep.restart)
      ctx.warnings.add(path + ".restart",
                       "dropped: Kubernetes does not restart a pod when its dependency restarts");
    if (dep.condition == spec::Condition::service_completed_successfully) {
      ctx.warnings.add(path, "the pod does not wait for Job '" + ctx.name_of(dep.service) +
                                 "' to complete: a pod cannot watch a Job without API access");
      continue;
    }
    if (ctx.jobs.count(dep.service) != 0) {
      ctx.warnings.add(path, "the pod does not wait for Job '" + ctx.name_of(dep.service) +
                                 "' to start: a Job's pods leave its Service when they end, so a "
                                 "wait could last for ever");
      continue;
    }
    if (!ctx.options.wait_init) {
      ctx.warnings.add(path, "the pod starts without waiting for '" + ctx.name_of(dep.service) +
                                 "' (--no-wait-init)");
      continue;
    }
    const spec::Service& target = *ctx.stack.find_service(dep.service);
    init.push_back({{"name", to_dns_label("wait-" + ctx.name_of(dep.service))},
                    {"image", ctx.options.wait_image},
                    {"command", {"sh", "-c", wait_script(ctx, target)}}});
  }
  if (!init.empty()) pod["initContainers"] = std::move(init);
}

}  // namespace stack::kube
