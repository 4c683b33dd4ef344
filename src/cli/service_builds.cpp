#include "cli/service_builds.hpp"

#include <algorithm>

#include "build/secret_option.hpp"
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
  return o;
}

Result<void> build_services(spec::Stack& stack, image::Store& store, const ServiceBuildOptions& options,
                            const ServiceBuildProgress& progress) {
  for (const std::string& name : options.services) {
    if (!stack.find_service(name)) return util::fail(util::Errc::not_found, "no such service: " + name);
  }
  // Replicas of one image and services naming the same image are built once.
  std::vector<std::string> built_images;
  for (const spec::Service& service : stack.services) {
    if (!service.build || !selected(service, options.services)) continue;
    if (std::find(built_images.begin(), built_images.end(), service.image) != built_images.end()) continue;
    STACK_ASSIGN_OR_RETURN(bool build, needs_build(service, store, options.when));
    if (!build) continue;
    if (progress.start) progress.start(service);
    build::BuildOptions o = build_options(service, options);
    auto secrets = build_secrets(stack, *service.build);
    if (!secrets) return std::move(secrets).error().context("services." + service.name + ".build");
    o.secrets = std::move(*secrets);
    auto built = build::build_image(store, o, progress.events);
    if (!built) return std::move(built).error().context("services." + service.name + ".build");
    if (progress.done) progress.done(service, *built);
    built_images.push_back(service.image);
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
