// networks -> a NetworkPolicy per network: its pods (labelled per network) accept ingress only
// from pods that share it. An internal network also limits egress to its peers and DNS; when the
// stack has one, the other networks' policies allow all egress, since policies add up.
// Published ports get a policy that lets anyone reach them.
#include "kube/context.hpp"
#include "kube/names.hpp"

namespace stack::kube {

namespace {

json peer(const std::string& label) { return {{"podSelector", {{"matchLabels", {{label, "true"}}}}}}; }

// Every port of every protocol, to anywhere: egress as without a policy (no empty rule needed).
json any_egress() {
  json ports = json::array();
  for (const char* proto : {"TCP", "UDP", "SCTP"}) ports.push_back({{"protocol", proto}});
  return {{"ports", ports}};
}

json dns_egress() {
  return {{"ports", {{{"protocol", "UDP"}, {"port", 53}}, {{"protocol", "TCP"}, {"port", 53}}}}};
}

void add_published_policy(Context& ctx, const spec::Service& s) {
  json ports = json::array();
  std::set<std::pair<int, std::string>> seen;
  for (const spec::Port& p : s.ports) {
    if (p.published_min == 0 || p.host_ip.rfind("127.", 0) == 0 || p.host_ip == "::1") continue;
    std::string proto = p.protocol == "udp" ? "UDP" : p.protocol == "sctp" ? "SCTP" : "TCP";
    if (seen.emplace(p.target, proto).second)
      ports.push_back({{"protocol", proto}, {"port", p.target}});
  }
  if (ports.empty()) return;
  std::string name = to_dns_label(ctx.name_of(s.name) + "-published");
  json spec = {{"podSelector", {{"matchLabels", ctx.selector_labels(s)}}},
               {"policyTypes", {"Ingress"}},
               {"ingress", {{{"ports", ports}}}}};
  ctx.add("networking.k8s.io/v1", "NetworkPolicy", name,
          {{"metadata", ctx.metadata(name, &s)}, {"spec", std::move(spec)}});
}

}  // namespace

void add_network_policies(Context& ctx) {
  std::set<std::string> used;
  for (const spec::Service* s : ctx.services) {
    if (s->network_mode.kind == spec::NetworkMode::Kind::bridge)
      for (const spec::ServiceNetwork& n : s->networks) used.insert(n.key);
    add_published_policy(ctx, *s);
  }
  bool any_internal = false;
  for (const std::string& key : used) any_internal = any_internal || ctx.stack.find_network(key)->internal;
  for (const std::string& key : used) {
    const spec::Network& net = *ctx.stack.find_network(key);
    std::string path = "networks." + key;
    if (!net.ipam.empty() || !net.ipam6.empty())
      ctx.warnings.add(path + ".ipam", "dropped: the cluster's network assigns pod addresses");
    if (net.external)
      ctx.warnings.add(path, "external: only pods of this export are labelled as its members");
    if (!net.driver_opts.empty())
      ctx.warnings.add(path + ".driver_opts", "dropped: the cluster's network plugin decides");
    const std::string& label = ctx.network_labels.at(key);
    std::string name = to_dns_label("network-" + key);
    json spec = {{"podSelector", {{"matchLabels", {{label, "true"}}}}},
                 {"ingress", {{{"from", {peer(label)}}}}}};
    if (net.internal) {
      spec["policyTypes"] = {"Ingress", "Egress"};
      spec["egress"] = {{{"to", {peer(label)}}}, dns_egress()};
    } else if (any_internal) {
      spec["policyTypes"] = {"Ingress", "Egress"};
      spec["egress"] = {any_egress()};
    } else {
      spec["policyTypes"] = {"Ingress"};
    }
    ctx.add("networking.k8s.io/v1", "NetworkPolicy", name,
            {{"metadata", ctx.metadata(name)}, {"spec", std::move(spec)}});
  }
}

}  // namespace stack::kube
