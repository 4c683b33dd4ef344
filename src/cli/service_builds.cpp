#include "cli/service_builds.hpp"

#include <algorithm>

#include "build/named_context.hpp"
#include "build/secret_option.hpp"
#include "build/ssh_option.hpp"
#include "scheduler/graph.hpp"
#include "util/fd.hpp"

namespace stack::cli {

using util::Result;

namespace {

bool selected(const spec::Service& service, const std::vector<std::string>& names) {
  return names.empty() || std::find(names.begin(), names.end(), service.name) != names.end();
}

Result<bool> needs_build(const spec::Service& service, image::Store& store, BuildWhen when) {
  switch (when) {
    case BuildWhen::always: return true;
    case BuildWhen::never: return false;
    case BuildWhen::missing: break;
  }
  if (service.pull_policy == spec::PullPolicy::build) return true;
  STACK_ASSIGN_OR_RETURN(std::optional<image::Image> found, store.find(service.image));
  return !found.has_value();
}

}  // namespace

// The content of each secret the build names (validate made sure that it is declared).
Result<std::map<std::string, std::string>> build_secrets(const spec::Stack& stack, const spec::Build& build) {
  std::map<std::string, std::string> out;
  for (const spec::BuildSecret& b : build.secrets) {
    const spec::FileSource* src = stack.find_secret(b.source);
    if (!src) return util::fail(util::Errc::not_found, "secret '" + b.source + "' is not declared under top-level secrets");
    if (src->kind != spec::FileSource::Kind::file) {
      out[b.id] = src->content;
      continue;
    }
    auto content = util::read_file(src->file, build::kMaxSecretSize);
    if (!content) return std::move(content).error().context("secret '" + b.source + "'");
    out[b.id] = std::move(*content);
  }
  return out;
}

build::BuildOptions build_options(const spec::Service& service, const ServiceBuildOptions& options) {
  const spec::Build& b = *service.build;
  build::BuildOptions o;
  o.root = options.root;
  o.context_dir = b.context;
  o.dockerfile = b.dockerfile;
  o.dockerfile_text = b.dockerfile_inline;
  o.build_args = b.args;
  for (const auto& [k, v] : options.build_args) o.build_args[k] = v;
  o.target = b.target;
  o.no_cache = b.no_cache || options.no_cache;
  o.pull = b.pull || options.pull;
  if (!b.network.empty()) o.network = b.network;
  o.labels = b.labels;
  o.tags.push_back(service.image);
  o.tags.insert(o.tags.end(), b.tags.begin(), b.tags.end());
  for (const spec::ExtraHost& h : b.extra_hosts) o.extra_hosts.emplace_back(h.hostname, h.address);
  o.shm_size = b.shm_size.value_or(0);
  o.source_date_epoch = options.source_date_epoch;
  o.ip_masq = options.ip_masq;
  o.network_pool = options.build_pool;
  o.cache_from = b.cache_from;
  o.cache_to = b.cache_to;
  return o;
}

// build.additional_contexts as the builder takes them; service:NAME is that service's image
// (built first, by build_services).
Result<build::NamedContexts> named_contexts(const spec::Stack& stack, const spec::Build& build) {
  build::NamedContexts out;
  for (const spec::BuildContext& c : build.additional_contexts) {
    if (c.value.starts_with("service:")) {
      const spec::Service* from = stack.find_service(c.value.substr(8));
      if (!from) return util::fail(util::Errc::not_found, "additional_contexts." + c.name + ": unknown service '" + c.value.substr(8) + "'");
      out[c.name] = build::NamedContext{build::NamedContext::Type::image, from->image};
      continue;
    }
    auto parsed = build::parse_named_context(c.value, "/");  // spec made directories absolute
    if (!parsed) return std::move(parsed).error().context("additional_contexts." + c.name);
    out[c.name] = std::move(*parsed);
  }
  return out;
}

namespace {

// One service's build, after the services its service: contexts name (validate refused cycles;
// `visiting` stops one anyway).
struct ServiceBuildRun {
  spec::Stack& stack;
  image::Store& store;
  const ServiceBuildOptions& options;
  const ServiceBuildProgress& progress;
  std::vector<std::string> built_images;
  std::vector<std::string> visiting;

  Result<void> build(const spec::Service& service, bool selected_here) {
    if (std::find(built_images.begin(), built_images.end(), service.image) != built_images.end()) return util::ok();
    if (std::find(visiting.begin(), visiting.end(), service.name) != visiting.end()) {
      return util::fail(util::Errc::invalid_argument, "services." + service.name + ".build: build context cycle");
    }
    visiting.push_back(service.name);
    for (const spec::BuildContext& c : service.build->additional_contexts) {
      const spec::Service* dep = c.value.starts_with("service:") ? stack.find_service(c.value.substr(8)) : nullptr;
      if (dep && dep->build) STACK_TRY(build(*dep, false));
    }
    visiting.pop_back();
    // A service named by a context is built when its image is missing, or with the others.
    BuildWhen when = selected_here ? options.when : options.when == BuildWhen::always ? BuildWhen::always : BuildWhen::missing;
    STACK_ASSIGN_OR_RETURN(bool needed, needs_build(service, store, when));
    if (!needed) return util::ok();
    if (progress.start) progress.start(service);
    build::BuildOptions o = build_options(service, options);
    auto secrets = build_secrets(stack, *service.build);
    if (!secrets) return std::move(secrets).error().context("services." + service.name + ".build");
    o.secrets = std::move(*secrets);
    for (const auto& [id, socket] : service.build->ssh) {
      auto agent = build::read_ssh_option(socket.empty() ? id : id + "=" + socket, [](const char* n) { return std::getenv(n); });
      if (!agent) return std::move(agent).error().context("services." + service.name + ".build.ssh");
      o.ssh.insert(std::move(*agent));
    }
    auto contexts = named_contexts(stack, *service.build);
    if (!contexts) return std::move(contexts).error().context("services." + service.name + ".build");
    o.contexts = std::move(*contexts);
    auto built = build::build_image(store, o, progress.events);
    if (!built) return std::move(built).error().context("services." + service.name + ".build");
    if (progress.done) progress.done(service, *built);
    built_images.push_back(service.image);
    return util::ok();
  }
};

}  // namespace

Result<void> build_services(spec::Stack& stack, image::Store& store, const ServiceBuildOptions& options,
                            const ServiceBuildProgress& progress) {
  for (const std::string& name : options.services) {
    if (!stack.find_service(name)) return util::fail(util::Errc::not_found, "no such service: " + name);
  }
  // Replicas of one image and services naming the same image are built once.
  ServiceBuildRun run{stack, store, options, progress, {}, {}};
  for (const spec::Service& service : stack.services) {
    if (!service.build || !selected(service, options.services)) continue;
    STACK_TRY(run.build(service, true));
  }
  return resolve_built_images(stack, store);
}

Result<std::vector<std::string>> services_for_up(const spec::Stack& stack, const std::vector<std::string>& names,
                                                 bool no_deps) {
  if (names.empty() || no_deps) return names;
  STACK_ASSIGN_OR_RETURN(scheduler::Graph graph, scheduler::compile(stack));
  STACK_ASSIGN_OR_RETURN(scheduler::Graph sub, graph.subset(names));
  return sub.services();
}

Result<void> resolve_built_images(spec::Stack& stack, image::Store& store) {
  for (spec::Service& service : stack.services) {
    if (!service.build) continue;
    STACK_ASSIGN_OR_RETURN(std::optional<image::Image> found, store.find(service.image));
    service.image_id = found ? found->id.str() : std::string();
  }
  return util::ok();
}

}  // namespace stack::cli
