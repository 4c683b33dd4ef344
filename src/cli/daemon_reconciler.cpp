#include "cli/daemon_reconciler.hpp"

#include <cstring>

#include <spdlog/spdlog.h>

#include "scheduler/image_resolver.hpp"
#include "scheduler/linux_host_network.hpp"
#include "cli/project_context.hpp"
#include "cli/service_builds.hpp"
#include "net/dns/dns_server.hpp"
#include "net/dns/pid_file.hpp"
#include "net/naming.hpp"
#include "runtime/shim_runtime.hpp"
#include "scheduler/container_spec.hpp"
#include "spec/load.hpp"

namespace stack::cli {

using util::Errc;
using util::Error;
using util::Result;

namespace {

// What a pass needs: the engine over the real runtime, network and image store, its progress
// logged one line per action.
struct PassEngine {
  std::unique_ptr<runtime::ShimRuntime> runtime;
  std::unique_ptr<scheduler::HostNetwork> host;
  std::unique_ptr<image::Store> store;
  std::unique_ptr<scheduler::Engine> engine;
};

Result<PassEngine> make_engine(const GlobalOptions& global, const std::string& project) {
  PassEngine p;
  p.runtime = std::make_unique<runtime::ShimRuntime>(runtime::ShimRuntimeOptions{global.root, self_binary()});
  p.host = scheduler::make_linux_host_network(net::make_netlink_network());
  STACK_ASSIGN_OR_RETURN(p.store, image::Store::open(global.root));
  STACK_ASSIGN_OR_RETURN(scheduler::EngineOptions options, engine_options(global));
  auto log = [project](const scheduler::ProgressEvent& e) {
    if (!e.done) return;  // the final state of each action only
    if (e.failed) spdlog::error("project={} {}={} {}", project, e.kind, e.name, e.status);
    else if (e.status != "Running") spdlog::info("project={} {}={} {}", project, e.kind, e.name, e.status);
  };
  p.engine = std::make_unique<scheduler::Engine>(std::move(options), *p.runtime, *p.host,
                                                 scheduler::make_image_resolver(*p.store, log), log);
  return p;
}

// The variables that would give every project of the directory one name, or one set of files.
spec::Environment daemon_environment() {
  spec::Environment env = spec::process_environment();
  for (const char* name : {"COMPOSE_PROJECT_NAME", "COMPOSE_FILE", "COMPOSE_PATH_SEPARATOR"}) env.erase(name);
  return env;
}

}  // namespace

Result<daemon::PassOutcome> EngineReconciler::apply(const daemon::StackSource& source, daemon::PassMode mode) {
  spec::LoadOptions load;
  load.files = source.files;
  load.working_dir = source.directory;
  load.fallback_project_name = source.key;
  load.environment = daemon_environment();
  spec::LoadOutcome loaded = spec::load(load);
  if (!loaded.stack || !loaded.diagnostics.empty()) {
    std::string lines;
    for (const spec::Diagnostic& d : loaded.diagnostics.list()) lines += (lines.empty() ? "" : "; ") + d.format();
    return Error(Errc::invalid_argument, lines.empty() ? "the stack file could not be loaded" : lines);
  }
  spec::Stack& stack = *loaded.stack;
  STACK_ASSIGN_OR_RETURN(PassEngine p, make_engine(global_, stack.name));
  // As `stack up`: the missing images of services with build are built, and every such
  // service's image id is known before planning (it is part of the config hash).
  ServiceBuildOptions build;
  build.root = global_.root;
  build.ip_masq = global_.ip_masq;
  build.build_pool = global_.build_pool;
  ServiceBuildProgress progress;
  progress.start = [&](const spec::Service& s) {
    spdlog::info("project={} service={} image={} building", stack.name, s.name, s.image);
  };
  STACK_TRY(build_services(stack, *p.store, build, progress));
  scheduler::UpOptions up;
  up.leave_exited = mode == daemon::PassMode::resync;
  STACK_TRY(p.engine->up(stack, up));

  daemon::PassOutcome out;
  out.project = stack.name;
  STACK_ASSIGN_OR_RETURN(auto containers, p.engine->containers(stack.name));
  for (const scheduler::ContainerView& c : containers) {
    if (c.one_off) continue;
    ++out.total;
    const bool alive = c.state.shim_alive && !runtime::shim::is_final(c.state.status);
    if (alive && c.state.status == runtime::shim::Status::running) ++out.running;
    if (alive) out.watched.pids.push_back(c.state.shim_pid);
    for (const auto& [network, address] : c.addresses) {
      if (alive) out.watched.links.push_back(net::host_veth_name(c.name, network));
    }
  }
  for (const spec::Network& n : stack.networks) {
    if (n.external) continue;
    out.watched.links.push_back(net::bridge_name(n.name));
    if (auto pid = net::dns::pid_file_holder(net::dns::dns_pid_file(global_.root, n.name)); pid && *pid > 0) {
      out.watched.pids.push_back(*pid);
    }
  }
  return out;
}

Result<void> EngineReconciler::remove(const std::string& project) {
  STACK_ASSIGN_OR_RETURN(PassEngine p, make_engine(global_, project));
  return p.engine->down(project, nullptr, scheduler::DownOptions{});
}

}  // namespace stack::cli
