// Services: one named as the stack service so that its name resolves as under stack (ClusterIP
// over its container ports, or headless when it has none and others depend on it), one more for
// published ports (LoadBalancer or NodePort), and one per network alias.
#include "kube/context.hpp"
#include "kube/names.hpp"

namespace stack::kube {

namespace {

constexpr int kNodePortMin = 30000, kNodePortMax = 32767;

json cluster_ports(const std::vector<ContainerPort>& ports) {
  json out = json::array();
  for (const ContainerPort& p : ports) {
    json port = {{"name", p.name}, {"port", p.port}, {"targetPort", p.port}, {"protocol", p.protocol}};
    if (!p.app_protocol.empty()) port["appProtocol"] = p.app_protocol;
    out.push_back(std::move(port));
  }
  return out;
}

void add_service(Context& ctx, const spec::Service& s, const std::string& name, json spec) {
  spec["selector"] = ctx.selector_labels(s);
  ctx.add("v1", "Service", name, {{"metadata", ctx.metadata(name, &s)}, {"spec", std::move(spec)}});
}

bool loopback(const std::string& ip) {
  return ip.rfind("127.", 0) == 0 || ip == "::1" || ip == "localhost";
}

// The published ports that face outside: port = the published port, targetPort = the container's.
json published_ports(Context& ctx, const spec::Service& s) {
  json out = json::array();
  std::set<std::pair<int, std::string>> seen;
  for (size_t i = 0; i < s.ports.size(); ++i) {
    const spec::Port& p = s.ports[i];
    if (p.mode == "host")
      ctx.warnings.add(Context::path(s, "ports[" + std::to_string(i) + "]"),
                       "mode 'host' dropped: published through a Service on every node");
    std::string path = Context::path(s, "ports[" + std::to_string(i) + "]");
    if (p.published_min == 0 && p.published_max == 0) continue;  // a random host port: not published
    if (loopback(p.host_ip)) {
      ctx.warnings.add(path, "published on " + p.host_ip + " only: kept inside the cluster (reach it "
                             "with kubectl port-forward)");
      continue;
    }
    if (!p.host_ip.empty())
      ctx.warnings.add(path, "host_ip " + p.host_ip + " dropped: the Service listens on the "
                             "load balancer's or every node's addresses");
    int port = p.published_min;
    if (p.published_max != p.published_min)
      ctx.warnings.add(path, "host port range approximated by its first port " + std::to_string(port));
    std::string proto = p.protocol == "udp" ? "UDP" : p.protocol == "sctp" ? "SCTP" : "TCP";
    if (!seen.emplace(port, proto).second) continue;
    json entry = {{"name", to_dns_label(p.protocol + "-" + std::to_string(port), 15)},
                  {"port", port}, {"targetPort", p.target}, {"protocol", proto}};
    if (ctx.options.service_type == ServiceType::node_port) {
      if (port >= kNodePortMin && port <= kNodePortMax) entry["nodePort"] = port;
      else
        ctx.warnings.add(path, "published port " + std::to_string(port) + " is outside the "
                               "NodePort range 30000-32767: the cluster chooses the node port");
    }
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace

void add_services(Context& ctx, const spec::Service& s) {
  const std::string& name = ctx.name_of(s.name);
  std::vector<ContainerPort> ports = container_ports(ctx, s);
  bool aliased = false;
  for (const spec::ServiceNetwork& n : s.networks) aliased = aliased || !n.aliases.empty();
  json spec = json::object();
  if (!ports.empty()) spec = {{"type", "ClusterIP"}, {"ports", cluster_ports(ports)}};
  // Port-less but reached by name: a headless Service resolves the name to the pods' addresses.
  else if (ctx.reached.count(s.name) != 0 || aliased) spec = {{"clusterIP", "None"}};
  if (!spec.empty()) add_service(ctx, s, name, spec);
  for (const spec::ServiceNetwork& n : s.networks) {
    for (const std::string& alias : n.aliases) {
      std::string alias_name = to_dns_label(alias);
      std::string path = Context::path(s, "networks." + n.key + ".aliases");
      if (!is_dns1035_label(alias_name) || alias_name == name) {
        ctx.warnings.add(path, "alias '" + alias + "' dropped: not a valid Service name");
        continue;
      }
      ctx.warnings.add(path, "alias '" + alias + "' becomes Service '" + alias_name +
                                 "', which resolves from every network of the namespace");
      add_service(ctx, s, alias_name, spec);
    }
  }
  json published = published_ports(ctx, s);
  if (!published.empty()) {
    std::string type = ctx.options.service_type == ServiceType::node_port ? "NodePort" : "LoadBalancer";
    add_service(ctx, s, to_dns_label(name + "-published"), {{"type", type}, {"ports", published}});
  }
}

}  // namespace stack::kube
