// Cross-checks on the normalised Stack: each check is a small named function that reports every
// violation it finds, positioned at the element's Location.
#include "spec/validate.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"
#include "spec/suggest.hpp"

namespace stack::spec {

namespace {

std::string sub_path(const Service& s, std::string_view key) {
  return join_path(s.location.path, key);
}

std::vector<std::string_view> service_names(const Stack& stack) {
  std::vector<std::string_view> out;
  for (const auto& s : stack.services) out.push_back(s.name);
  return out;
}

void check_dependencies_exist(const Stack& stack, Diagnostics& diags) {
  auto names = service_names(stack);
  for (const auto& s : stack.services) {
    for (const auto& dep : s.depends_on) {
      // An optional dependency on a service that is not there is simply skipped, as compose does.
      if (stack.find_service(dep.service) || !dep.required) continue;
      diags.error(dep.location.mark, dep.location.path,
                  "unknown service '" + dep.service + "'" + did_you_mean(dep.service, names));
    }
  }
}

void check_network_references(const Stack& stack, Diagnostics& diags) {
  std::vector<std::string_view> keys;
  for (const auto& n : stack.networks) keys.push_back(n.key);
  for (const auto& s : stack.services) {
    for (const auto& n : s.networks) {
      if (stack.find_network(n.key)) continue;
      diags.error(n.location.mark, n.location.path,
                  "network '" + n.key + "' is not declared under top-level networks" +
                      did_you_mean(n.key, keys));
    }
  }
}

void check_volume_references(const Stack& stack, Diagnostics& diags) {
  std::vector<std::string_view> keys;
  for (const auto& v : stack.volumes) keys.push_back(v.key);
  for (const auto& s : stack.services) {
    for (const auto& m : s.mounts) {
      if (m.type != MountType::volume || m.source.empty() || stack.find_volume(m.source)) continue;
      diags.error(s.location.mark, sub_path(s, "volumes"),
                  "volume '" + m.source + "' is not declared under top-level volumes" +
                      did_you_mean(m.source, keys));
    }
  }
}

// Every secret and config a service mounts is declared at the top level.
void check_file_mount_references(const Stack& stack, Diagnostics& diags) {
  struct Kind {
    std::string_view section, singular;
    const std::vector<FileSource>& declared;
    std::vector<FileMount> Service::*mounts;
  };
  const Kind kinds[] = {{"secrets", "secret", stack.secrets, &Service::secrets},
                        {"configs", "config", stack.configs, &Service::configs}};
  for (const Kind& kind : kinds) {
    std::vector<std::string_view> keys;
    for (const auto& d : kind.declared) keys.push_back(d.key);
    for (const auto& s : stack.services) {
      for (const FileMount& m : s.*kind.mounts) {
        if (std::any_of(kind.declared.begin(), kind.declared.end(),
                        [&](const FileSource& d) { return d.key == m.source; }))
          continue;
        diags.error(m.location.mark, m.location.path,
                    std::string(kind.singular) + " '" + m.source + "' is not declared under top-level " +
                        std::string(kind.section) + did_you_mean(m.source, keys));
      }
    }
  }
  std::vector<std::string_view> secret_keys;
  for (const auto& d : stack.secrets) secret_keys.push_back(d.key);
  for (const auto& s : stack.services) {
    if (!s.build) continue;
    for (const BuildSecret& b : s.build->secrets) {
      if (!stack.find_secret(b.source))
        diags.error(b.location.mark, b.location.path,
                    "secret '" + b.source + "' is not declared under top-level secrets" + did_you_mean(b.source, secret_keys));
    }
  }
}

void check_namespace_targets(const Stack& stack, Diagnostics& diags) {
  for (const auto& s : stack.services) {
    for (auto [key, mode] : {std::pair{"ipc", &s.ipc}, std::pair{"pid", &s.pid}}) {
      if (mode->kind == NamespaceMode::Kind::service && !stack.find_service(mode->target))
        diags.error(s.location.mark, sub_path(s, key), "unknown service '" + mode->target + "'");
    }
  }
}

void check_network_mode_targets(const Stack& stack, Diagnostics& diags) {
  for (const auto& s : stack.services) {
    if (s.network_mode.kind != NetworkMode::Kind::service) continue;
    const std::string& target = s.network_mode.target;
    if (target == s.name)
      diags.error(s.location.mark, sub_path(s, "network_mode"), "a service cannot share its own network");
    else if (!stack.find_service(target))
      diags.error(s.location.mark, sub_path(s, "network_mode"), "unknown service '" + target + "'");
  }
}

// Depth-first search; every back edge closes a cycle, which is reported once whatever service the
// search entered it from (cycles are compared after rotating their smallest name to the front).
class CycleFinder {
 public:
  CycleFinder(const Stack& stack, Diagnostics& diags) : stack_(stack), diags_(diags) {}

  void run() {
    for (const auto& s : stack_.services) visit(s);
  }

 private:
  void visit(const Service& s) {
    if (done_.count(s.name)) return;
    on_path_.push_back(&s);
    for (const auto& dep : s.depends_on) {
      const Service* next = stack_.find_service(dep.service);
      if (!next) continue;
      auto it = std::find(on_path_.begin(), on_path_.end(), next);
      if (it != on_path_.end()) report(std::vector<const Service*>(it, on_path_.end()));
      else visit(*next);
    }
    on_path_.pop_back();
    done_.insert(s.name);
  }

  void report(std::vector<const Service*> cycle) {
    auto first = std::min_element(cycle.begin(), cycle.end(),
                                  [](auto* a, auto* b) { return a->name < b->name; });
    std::rotate(cycle.begin(), first, cycle.end());
    std::vector<std::string> key;
    std::string text = "dependency cycle: ";
    for (const Service* s : cycle) {
      key.push_back(s->name);
      text += s->name + " -> ";
    }
    text += cycle.front()->name;
    if (!seen_.insert(key).second) return;
    const std::string& next = cycle.size() > 1 ? cycle[1]->name : cycle[0]->name;
    for (const auto& dep : cycle.front()->depends_on) {
      if (dep.service != next) continue;
      diags_.error(dep.location.mark, sub_path(*cycle.front(), "depends_on"), text);
      return;
    }
  }

  const Stack& stack_;
  Diagnostics& diags_;
  std::vector<const Service*> on_path_;
  std::set<std::string> done_;
  std::set<std::vector<std::string>> seen_;
};

void check_dependency_cycles(const Stack& stack, Diagnostics& diags) { CycleFinder(stack, diags).run(); }

void check_container_names(const Stack& stack, Diagnostics& diags) {
  std::map<std::string, const Service*> owners;
  for (const auto& s : stack.services) {
    if (s.container_name.empty()) continue;
    if (s.replicas > 1)
      diags.error(s.location.mark, sub_path(s, "container_name"),
                  "cannot be set on a service with " + std::to_string(s.replicas) + " replicas");
    auto [it, fresh] = owners.emplace(s.container_name, &s);
    if (!fresh)
      diags.error(s.location.mark, sub_path(s, "container_name"),
                  "'" + s.container_name + "' is already used by service '" + it->second->name + "'");
  }
}

// An address is outside a network when no ipam pool of it contains the address.
bool in_subnets(const Network& net, util::Ipv4 address) {
  for (const auto& pool : net.ipam) {
    if (pool.subnet.contains(address)) return true;
  }
  return false;
}

void check_static_addresses(const Stack& stack, Diagnostics& diags) {
  std::map<std::pair<std::string, std::string>, std::string> taken;  // (network, ip) -> service
  for (const auto& s : stack.services) {
    for (const auto& n : s.networks) {
      if (!n.ipv4_address) continue;
      const Network* net = stack.find_network(n.key);
      const std::string ip = n.ipv4_address->str();
      std::string at = join_path(n.location.path, "ipv4_address");
      if (s.replicas > 1)
        diags.error(n.location.mark, at, "cannot be set on a service with " +
                                             std::to_string(s.replicas) + " replicas");
      if (net && !net->external && net->ipam.empty())
        diags.error(n.location.mark, at, "network '" + n.key + "' has no ipam subnet to take '" +
                                             ip + "' from");
      else if (net && !net->external && !in_subnets(*net, *n.ipv4_address))
        diags.error(n.location.mark, at, "'" + ip + "' is outside the subnets of network '" + n.key + "'");
      if (net) {
        for (const IpamPool& pool : net->ipam) {
          for (const auto& [host, address] : pool.aux_addresses) {
            if (address == *n.ipv4_address)
              diags.error(n.location.mark, at, "'" + ip + "' is reserved as aux address '" + host + "' of network '" + n.key + "'");
          }
        }
      }
      auto [it, fresh] = taken.emplace(std::make_pair(n.key, ip), s.name);
      if (!fresh)
        diags.error(n.location.mark, at, "'" + ip + "' is already used by service '" + it->second + "'");
    }
  }
}

// ipv6_address: inside the network's IPv6 subnet (so the network needs one), not an aux address,
// one container only, not taken twice.
void check_static_addresses6(const Stack& stack, Diagnostics& diags) {
  std::map<std::pair<std::string, std::string>, std::string> taken;  // (network, ip) -> service
  for (const auto& s : stack.services) {
    for (const auto& n : s.networks) {
      if (!n.ipv6_address) continue;
      const Network* net = stack.find_network(n.key);
      const std::string ip = n.ipv6_address->str();
      const std::string at = join_path(n.location.path, "ipv6_address");
      if (s.replicas > 1)
        diags.error(n.location.mark, at, "cannot be set on a service with " + std::to_string(s.replicas) + " replicas");
      if (net && !net->external && net->ipam6.empty()) {
        diags.error(n.location.mark, at, "network '" + n.key + "' has no IPv6 subnet to take '" + ip +
                                             "' from (it needs enable_ipv6 and an IPv6 ipam subnet)");
      } else if (net && !net->external) {
        const IpamPool6& pool = net->ipam6.front();
        if (!pool.subnet.contains(*n.ipv6_address))
          diags.error(n.location.mark, at, "'" + ip + "' is outside the IPv6 subnet of network '" + n.key + "'");
        for (const auto& [host, address] : pool.aux_addresses) {
          if (address == *n.ipv6_address)
            diags.error(n.location.mark, at, "'" + ip + "' is reserved as aux address '" + host + "' of network '" + n.key + "'");
        }
      }
      auto [it, fresh] = taken.emplace(std::make_pair(n.key, ip), s.name);
      if (!fresh) diags.error(n.location.mark, at, "'" + ip + "' is already used by service '" + it->second + "'");
    }
  }
}

struct Published {
  const Service* service;
  Port port;
};

bool overlaps(const Port& a, const Port& b) {
  bool same_ip = a.host_ip.empty() || b.host_ip.empty() || a.host_ip == b.host_ip;
  return same_ip && a.protocol == b.protocol && a.published_min <= b.published_max &&
         b.published_min <= a.published_max;
}

std::string port_text(const Port& p) {
  std::string text = (p.host_ip.empty() ? "" : p.host_ip + ":") + std::to_string(p.published_min);
  if (p.published_max != p.published_min) text += "-" + std::to_string(p.published_max);
  return text + "/" + p.protocol;
}

void check_published_ports(const Stack& stack, Diagnostics& diags) {
  std::vector<Published> seen;
  for (const auto& s : stack.services) {
    if (s.network_mode.kind != NetworkMode::Kind::bridge) continue;  // ports are not published
    for (const auto& p : s.ports) {
      if (p.published_min == 0) continue;
      if (s.replicas > 1 && p.published_max - p.published_min + 1 < s.replicas)
        diags.error(s.location.mark, sub_path(s, "ports"),
                    "published port " + port_text(p) + " cannot serve " +
                        std::to_string(s.replicas) + " replicas");
      auto clash = std::find_if(seen.begin(), seen.end(),
                                [&](const Published& x) { return overlaps(x.port, p); });
      if (clash != seen.end())
        diags.error(s.location.mark, sub_path(s, "ports"),
                    "published port " + port_text(p) + " is already used by service '" +
                        clash->service->name + "'");
      seen.push_back(Published{&s, p});
    }
  }
}

// build.additional_contexts' service:NAME: a service with a build, and no cycle through them
// (each is built before the build that uses it).
class ContextCycleFinder {
 public:
  ContextCycleFinder(const Stack& stack, Diagnostics& diags) : stack_(stack), diags_(diags) {}

  void run() {
    for (const auto& s : stack_.services) visit(s);
  }

 private:
  void visit(const Service& s) {
    if (done_.count(s.name) || !s.build) return;
    on_path_.push_back(s.name);
    for (const BuildContext& c : s.build->additional_contexts) {
      if (!c.value.starts_with("service:")) continue;
      std::string target = c.value.substr(8);
      const Service* next = stack_.find_service(target);
      if (!next || !next->build) {
        diags_.error(c.location.mark, c.location.path,
                     next ? "service '" + target + "' has no build" : "unknown service '" + target + "'");
        continue;
      }
      auto it = std::find(on_path_.begin(), on_path_.end(), target);
      if (it == on_path_.end()) {
        visit(*next);
        continue;
      }
      std::string text = "build context cycle: ";
      for (; it != on_path_.end(); ++it) text += *it + " -> ";
      diags_.error(c.location.mark, c.location.path, text + target);
    }
    on_path_.pop_back();
    done_.insert(s.name);
  }

  const Stack& stack_;
  Diagnostics& diags_;
  std::vector<std::string> on_path_;
  std::set<std::string> done_;
};

void check_build_context_services(const Stack& stack, Diagnostics& diags) { ContextCycleFinder(stack, diags).run(); }

}  // namespace

void validate(const Stack& stack, Diagnostics& diags) {
  using Check = void (*)(const Stack&, Diagnostics&);
  static constexpr Check kChecks[] = {
      check_dependencies_exist, check_network_references,  check_volume_references,
      check_network_mode_targets, check_namespace_targets, check_dependency_cycles, check_container_names,
      check_static_addresses,   check_static_addresses6,   check_published_ports,   check_file_mount_references, check_build_context_services,
  };
  for (Check check : kChecks) check(stack, diags);
}

}  // namespace stack::spec
