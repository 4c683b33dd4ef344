// The service's container: image, entrypoint and command, environment (env files as a ConfigMap),
// working directory and ports.
#include <algorithm>
#include <cctype>
#include <tuple>

#include "kube/context.hpp"
#include "kube/names.hpp"

namespace stack::kube {

namespace {

json escaped(const std::vector<std::string>& words) {
  json out = json::array();
  for (const std::string& w : words) out.push_back(escape_expansion(w));
  return out;
}

void add_command(Context& ctx, const spec::Service& s, json& c) {
  const auto& entry = s.entrypoint;
  const auto& cmd = s.command;
  if (entry && entry->empty()) {
    // An entrypoint cleared: the command alone runs, which is Kubernetes' `command` without args.
    if (cmd && !cmd->empty()) c["command"] = escaped(*cmd);
    else
      ctx.warnings.add(Context::path(s, "entrypoint"),
                       "dropped: Kubernetes cannot clear the image's entrypoint without a command "
                       "to run instead (an empty command means the image's)");
    return;
  }
  if (entry) c["command"] = escaped(*entry);
  if (cmd && !cmd->empty()) c["args"] = escaped(*cmd);
  else if (cmd && entry == std::nullopt)
    ctx.warnings.add(Context::path(s, "command"),
                     "dropped: an empty command cannot clear the image's CMD in Kubernetes");
}

// Keys an env file gave with the value that the service ends up with go through the ConfigMap;
// environment: and overridden keys go to env, which Kubernetes lets win over envFrom.
void add_environment(Context& ctx, const spec::Service& s, json& c) {
  json data = json::object();
  for (const auto& [k, v] : s.env_file_environment) {
    auto it = s.environment.find(k);
    // An empty value stays in env (name alone), so that no ConfigMap value is empty.
    if (it != s.environment.end() && it->second == v && !v.empty() && is_config_key(k) &&
        is_env_name(k))
      data[k] = v;
  }
  json env = json::array();
  for (const auto& [k, v] : s.environment) {
    if (data.contains(k)) continue;
    if (!is_env_name(k)) {
      ctx.warnings.add(Context::path(s, "environment." + k),
                       "dropped: not a variable name Kubernetes accepts ([-._a-zA-Z][-._a-zA-Z0-9]*)");
      continue;
    }
    json var = {{"name", k}};
    if (!v.empty()) var["value"] = escape_expansion(v);  // value "" is Kubernetes' default
    env.push_back(std::move(var));
  }
  if (!data.empty()) {
    std::string name = ctx.name_of(s.name) + "-env";
    // A ConfigMap's values are used as written: $(VAR) in envFrom is not expanded.
    ctx.add("v1", "ConfigMap", name, {{"metadata", ctx.metadata(name, &s)}, {"data", data}});
    c["envFrom"] = json::array({{{"configMapRef", {{"name", name}}}}});
  }
  if (!env.empty()) c["env"] = std::move(env);
}

std::string upper(std::string text) {
  for (char& ch : text) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return text;
}

// "8000-8010/udp" -> ports 8000..8010, UDP.
void parse_expose(const std::string& text, std::vector<std::pair<uint16_t, std::string>>& out) {
  size_t slash = text.find('/');
  std::string proto = slash == std::string::npos ? "tcp" : text.substr(slash + 1);
  std::string range = text.substr(0, slash);
  size_t dash = range.find('-');
  int first = std::stoi(range.substr(0, dash));
  int last = dash == std::string::npos ? first : std::stoi(range.substr(dash + 1));
  for (int p = first; p <= last; ++p) out.emplace_back(static_cast<uint16_t>(p), upper(proto));
}

void add_port(Context& ctx, const spec::Service& s, std::vector<ContainerPort>& out,
              uint16_t port, const std::string& protocol, std::string name,
              const std::string& app_protocol) {
  for (const ContainerPort& p : out)
    if (p.port == port && p.protocol == protocol) return;
  if (!name.empty() && !is_port_name(name)) {
    ctx.warnings.add(Context::path(s, "ports"),
                     "port name '" + name + "' replaced: Kubernetes port names have at most 15 "
                     "characters of a-z, 0-9 and '-', with a letter");
    name.clear();
  }
  std::string lower_proto = protocol;
  for (char& ch : lower_proto) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (const ContainerPort& p : out)
    if (p.name == name) name.clear();  // a name given twice: the second gets its own
  if (name.empty()) name = lower_proto + "-" + std::to_string(port);
  out.push_back(ContainerPort{port, protocol, to_dns_label(name, 15), app_protocol});
}

}  // namespace

std::vector<ContainerPort> container_ports(Context& ctx, const spec::Service& s) {
  std::vector<ContainerPort> out;
  for (const spec::Port& p : s.ports)
    add_port(ctx, s, out, p.target, upper(p.protocol), p.name, p.app_protocol);
  std::vector<std::pair<uint16_t, std::string>> exposed;
  for (const std::string& e : s.expose) parse_expose(e, exposed);
  for (const auto& [port, proto] : exposed) add_port(ctx, s, out, port, proto, "", "");
  return out;
}

// post_start and pre_stop are the container's postStart and preStop exec handlers: the same
// command, run in the container. A container has one of each, run as the container's user.
void add_hooks(Context& ctx, const spec::Service& s, json& c) {
  for (auto [key, hooks, field] : {std::tuple{"post_start", &s.post_start, "postStart"},
                                   std::tuple{"pre_stop", &s.pre_stop, "preStop"}}) {
    if (hooks->empty()) continue;
    const spec::LifecycleHook& hook = hooks->front();
    c["lifecycle"][field] = {{"exec", {{"command", hook.command}}}};
    if (hooks->size() > 1)
      ctx.warnings.add(Context::path(s, key), "only the first hook kept: a container has one " + std::string(field));
    if (!hook.user.empty() || hook.privileged || !hook.working_dir.empty() || !hook.environment.empty())
      ctx.warnings.add(Context::path(s, key),
                       "user, privileged, working_dir and environment dropped: a pod's hook runs as its container");
  }
}

json make_container(Context& ctx, const spec::Service& s) {
  json c = {{"name", ctx.name_of(s.name)}, {"image", s.image}};
  switch (s.pull_policy) {
    case spec::PullPolicy::always: c["imagePullPolicy"] = "Always"; break;
    case spec::PullPolicy::never: c["imagePullPolicy"] = "Never"; break;
    case spec::PullPolicy::missing: c["imagePullPolicy"] = "IfNotPresent"; break;
    case spec::PullPolicy::refresh:
      c["imagePullPolicy"] = "Always";
      ctx.warnings.add(Context::path(s, "pull_policy"),
                       "a refresh window approximated by Always: a cluster checks the registry at every start");
      break;
    case spec::PullPolicy::build:
      c["imagePullPolicy"] = "IfNotPresent";
      ctx.warnings.add(Context::path(s, "pull_policy"),
                       "'build' approximated by IfNotPresent: a cluster does not build images");
      break;
  }
  if (s.build) {
    ctx.warnings.add(Context::path(s, "build"), "not built by the cluster: push image '" + s.image +
                                                    "' (stack build) to a registry the cluster pulls from");
  }
  if (!s.watch.empty()) {
    ctx.warnings.add(Context::path(s, "develop"), "not exported: `stack watch` applies it on this host only");
  }
  add_command(ctx, s, c);
  add_environment(ctx, s, c);
  if (!s.working_dir.empty()) c["workingDir"] = s.working_dir;
  if (s.tty) c["tty"] = true;            // compose tty and stdin_open are the pod container's own
  if (s.stdin_open) c["stdin"] = true;
  add_hooks(ctx, s, c);
  json ports = json::array();
  for (const ContainerPort& p : container_ports(ctx, s))
    ports.push_back({{"containerPort", p.port}, {"protocol", p.protocol}, {"name", p.name}});
  if (!ports.empty()) c["ports"] = std::move(ports);
  return c;
}

}  // namespace stack::kube
