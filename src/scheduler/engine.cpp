#include "scheduler/engine.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <future>
#include <thread>

#include "runtime/shim/json_log.hpp"
#include "runtime/state_paths.hpp"
#include "scheduler/container_spec.hpp"
#include "scheduler/engine_impl.hpp"
#include "scheduler/host_ports.hpp"
#include "scheduler/runtime_failure.hpp"
#include "spec/hash.hpp"
#include "util/state_root.hpp"

namespace stack::scheduler {

using util::Errc;
using util::Error;
using util::Result;

namespace fs = std::filesystem;

Engine::Impl::Impl(EngineOptions o, runtime::Runtime& r, HostNetwork& h, ImageResolver i, ProgressSink p)
    : options(std::move(o)), runtime(r), host(h), images(std::move(i)), progress(std::move(p)),
      ipam(options.root) {}

void Engine::Impl::report(const std::string& kind, const std::string& name, const std::string& status,
                          bool done, bool failed) {
  if (!progress) return;
  std::lock_guard lock(progress_mu);
  progress({kind, name, status, done, failed});
}

Engine::Engine(EngineOptions options, runtime::Runtime& runtime, HostNetwork& host,
               ImageResolver images, ProgressSink progress)
    : impl_(std::make_unique<Impl>(std::move(options), runtime, host, std::move(images), std::move(progress))),
      runtime_(runtime) {}

Engine::~Engine() = default;

namespace {

Result<ProjectLock> lock_project(Engine::Impl& impl, const std::string& project) {
  return ProjectLock::acquire(impl.options.root, project, [&] {
    impl.report("Project", project, "Waiting for another stack command", false);
  });
}

std::vector<std::string> names_of(const std::vector<const Found*>& list) {
  std::vector<std::string> out;
  for (const auto* f : list) out.push_back(f->observed.name);
  return out;
}

}  // namespace

Result<void> Engine::up(const spec::Stack& stack, const UpOptions& options) {
  Impl& impl = *impl_;
  STACK_ASSIGN_OR_RETURN(Graph graph, compile(stack));
  PlanInput input;
  input.project = stack.name;
  input.recreate = options.recreate;
  input.remove_orphans = options.remove_orphans;
  input.leave_exited = options.leave_exited;
  for (const spec::Service& s : stack.services) {
    auto scale = options.scale.find(s.name);
    int replicas = scale != options.scale.end() ? scale->second : s.replicas;
    bool restarts = s.restart.kind != spec::RestartPolicy::Kind::no;
    input.services.push_back({s.name, spec::config_hash(s), replicas, s.container_name, restarts});
  }
  for (const auto& [name, n] : options.scale) {
    if (!graph.contains(name)) return Error(Errc::not_found, "--scale: no such service: " + name);
  }
  if (!options.services.empty()) {
    std::vector<std::string> named(options.services.begin(), options.services.end());
    STACK_ASSIGN_OR_RETURN(Graph sub, graph.subset(named));
    auto targets = options.no_deps ? named : sub.services();
    input.targets.insert(targets.begin(), targets.end());
  }

  STACK_ASSIGN_OR_RETURN(ProjectLock lock, lock_project(impl, stack.name));
  ProjectState state(impl.options.root, stack.name);
  STACK_TRY(state.load());
  std::vector<std::string> files;
  for (const std::string& f : stack.files) {
    std::error_code ec;
    files.push_back(f == "-" ? f : fs::absolute(f, ec).lexically_normal().string());
  }
  STACK_TRY(state.set_source(stack.working_dir, files));
  STACK_ASSIGN_OR_RETURN(std::vector<Found> found, impl.find(stack.name));
  std::vector<ObservedContainer> observed;
  for (const Found& f : found) observed.push_back(f.observed);
  Plan p = plan(input, graph, observed);

  for (const Step& orphan : p.orphans) {
    if (orphan.kind == StepKind::keep) impl.report("Container", orphan.name, "Orphan (remove with --remove-orphans)", true, false);
  }
  // A published port that something else holds fails the whole `up` before anything changes.
  for (const auto& [service_name, steps] : p.services) {
    const spec::Service* service = stack.find_service(service_name);
    for (const Step& s : steps) {
      if (s.kind != StepKind::create) continue;
      for (size_t i = 0; i < service->ports.size(); ++i) {
        const spec::Port& port = service->ports[i];
        if (port.published_min == 0) continue;  // the kernel picks one
        STACK_ASSIGN_OR_RETURN(net::proxy::Forward forward, published_forward(port, util::Ipv4{}));
        auto free = impl.host.check_port_free(forward);
        if (!free) {
          return std::move(free).error().context("services." + service_name + ".ports[" + std::to_string(i) + "]");
        }
      }
    }
  }

  STACK_TRY(impl.ensure_networks(stack, state, found));
  STACK_TRY(impl.ensure_volumes(stack, state));
  std::vector<Engine::Impl::NewContainer> new_containers;
  for (const auto& [service_name, steps] : p.services) {
    for (const Step& s : steps) {
      if (s.kind == StepKind::create) new_containers.push_back({stack.find_service(service_name), s.name});
    }
  }
  STACK_TRY(impl.reserve_new_containers(stack, new_containers, state));

  // One task per service; each waits for its dependencies' tasks and conditions first.
  std::map<std::string, std::shared_future<bool>> done;
  std::map<std::string, std::promise<bool>> promises;
  for (const std::string& name : p.order) done[name] = promises[name].get_future().share();
  std::mutex error_mu;
  std::optional<Error> first_error;
  auto fail = [&](Error e) {
    std::lock_guard l(error_mu);
    if (!first_error) first_error = std::move(e);
  };
  auto run_service = [&](const std::string& name) {
    const spec::Service& service = *stack.find_service(name);
    // Only what starts a container waits for its dependencies' conditions: a service whose
    // containers are all kept (or removed) has nothing to order, and a dependency that is kept
    // down (a resync leaves exited containers to their policy) would never meet them.
    const auto& steps = p.services.at(name);
    const bool starts = std::any_of(steps.begin(), steps.end(), [](const Step& s) {
      return s.kind == StepKind::create || s.kind == StepKind::recreate || s.kind == StepKind::start;
    });
    for (const Edge& edge : starts ? graph.dependencies(name) : std::vector<Edge>{}) {
      auto dep = done.find(edge.service);
      bool planned = dep != done.end();
      if (planned && !dep->second.get()) return false;  // its own error is reported already
      if (!planned && !edge.required) continue;
      if (!planned) {
        // Not part of this `up` (--no-deps or a subset): wait on it only if it has containers.
        bool exists = std::any_of(found.begin(), found.end(), [&](const Found& f) { return f.observed.service == edge.service; });
        if (!exists) continue;
      }
      auto met = impl.wait_for(stack.name, edge.service, edge.condition);
      if (!met) {
        if (edge.required) {
          fail(std::move(met).error());
          return false;
        }
      }
    }
    for (const Step& s : p.services.at(name)) {
      Result<void> r = util::ok();
      switch (s.kind) {
        case StepKind::remove:
          impl.before_stop(&service, s.name);
          impl.report("Container", s.name, "Removing", false);
          r = impl.destroy_container(stack.name, s.name, state, service.stop_grace_period);
          if (r) impl.report("Container", s.name, "Removed");
          break;
        case StepKind::recreate:
          impl.before_stop(&service, s.old_name);
          impl.report("Container", s.old_name, "Recreate", false);
          r = impl.destroy_container(stack.name, s.old_name, state, service.stop_grace_period);
          if (r) r = impl.create_container({&stack, &service, s.number, s.name, false, true}, state);
          break;
        case StepKind::create:
          r = impl.create_container({&stack, &service, s.number, s.name, false, true}, state);
          break;
        case StepKind::start:
          impl.report("Container", s.name, "Starting", false);
          r = impl.runtime.start(s.name);
          if (!r) {
            r = in_service_terms(service.name, std::move(r).error(), &service).context("container " + s.name);
            break;
          }
          impl.report("Container", s.name, "Started");
          r = impl.after_start(&service, s.name);
          break;
        case StepKind::keep:
          impl.report("Container", s.name, "Running");
          break;
      }
      if (!r) {
        fail(std::move(r).error());
        return false;
      }
    }
    bool changed = std::any_of(p.services.at(name).begin(), p.services.at(name).end(),
                               [](const Step& s) { return s.kind != StepKind::keep; });
    // Its dependents start once its names are in every hosts file and in the DNS records; the
    // others' passes fold into one another (the last, below, waits).
    using Sync = Engine::Impl::Sync;
    Sync sync = graph.direct_dependents(name).empty() ? Sync::no_wait : Sync::wait;
    if (changed) (void)impl.refresh_discovery(stack.name, sync);
    return true;
  };
  auto settle_service = [&](const std::string& name) {
    bool ok = false;
    try {
      ok = run_service(name);
    } catch (const std::exception& e) {
      fail(Error(Errc::internal, std::string("service ") + name + ": " + e.what()));
    }
    promises[name].set_value(ok);
  };
  // A converged stack has nothing to start: its services are checked in start order on this
  // thread (fifty threads cost a no-op `up` more than the rest of its work).
  std::vector<std::thread> threads;
  for (const std::string& name : p.order) {
    if (p.converged()) {
      settle_service(name);
    } else {
      threads.emplace_back(settle_service, name);
    }
  }
  for (auto& t : threads) t.join();
  if (first_error) {
    // Containers never made (a dependency failed first) give back what was reserved for them.
    for (const auto& c : new_containers) {
      if (!impl.runtime.config(c.name)) (void)impl.destroy_container(stack.name, c.name, state, std::chrono::seconds(0));
    }
  }

  std::vector<const Step*> orphans;
  for (const Step& o : p.orphans) {
    if (o.kind == StepKind::remove) orphans.push_back(&o);
  }
  STACK_TRY(parallel(orphans, [&](const Step* o) -> Result<void> {
    impl.report("Container", o->name, "Removing", false);
    STACK_TRY(impl.destroy_container(stack.name, o->name, state, std::nullopt));
    impl.report("Container", o->name, "Removed");
    return util::ok();
  }));
  if (!p.converged()) STACK_TRY(impl.refresh_discovery(stack.name));
  auto networks_ready = impl.await_networks();
  if (first_error) return std::move(*first_error);
  STACK_TRY(networks_ready);
  if (options.wait) {
    STACK_TRY(impl.wait_ready(stack.name, input.targets, options.wait_timeout));
  }
  return util::ok();
}

Result<void> Engine::down(const std::string& project, const spec::Stack* stack, const DownOptions& options) {
  Impl& impl = *impl_;
  STACK_ASSIGN_OR_RETURN(ProjectLock lock, lock_project(impl, project));
  ProjectState state(impl.options.root, project);
  STACK_TRY(state.load());
  STACK_ASSIGN_OR_RETURN(std::vector<Found> found, impl.find(project));

  // Shutdown in waves, dependents first; containers of services the file does not know (or all,
  // without a file) go in the first wave.
  std::vector<std::vector<std::string>> waves;
  std::set<std::string> known;
  if (stack != nullptr) {
    STACK_ASSIGN_OR_RETURN(Graph graph, compile(*stack));
    waves = graph.waves();
    std::reverse(waves.begin(), waves.end());
    for (const auto& s : stack->services) known.insert(s.name);
  }
  std::vector<const Found*> first;
  std::map<std::string, std::vector<const Found*>> by_service;
  for (const Found& f : found) {
    bool orphan = stack != nullptr && !known.count(f.observed.service) && !f.observed.one_off;
    if (orphan && !options.remove_orphans) {
      impl.report("Container", f.observed.name, "Orphan (remove with --remove-orphans)");
      continue;
    }
    if (!known.count(f.observed.service) || f.observed.one_off) first.push_back(&f);
    else by_service[f.observed.service].push_back(&f);
  }
  auto destroy = [&](const std::string& name) -> Result<void> {
    auto f = std::find_if(found.begin(), found.end(), [&](const Found& x) { return x.observed.name == name; });
    if (stack != nullptr && f != found.end() && f->observed.running) {
      impl.before_stop(stack->find_service(f->observed.service), name);
    }
    impl.report("Container", name, "Stopping", false);
    STACK_TRY(impl.destroy_container(project, name, state, options.timeout));
    impl.report("Container", name, "Removed");
    return util::ok();
  };
  STACK_TRY(parallel(names_of(first), destroy));
  for (const auto& wave : waves) {
    std::vector<std::string> names;
    for (const auto& service : wave) {
      for (const auto& n : names_of(by_service[service])) names.push_back(n);
    }
    STACK_TRY(parallel(names, destroy));
  }
  // What a crash left half-made: recorded, but no container behind it any more.
  std::set<std::string> kept;
  for (const Found& f : found) kept.insert(f.observed.name);
  for (const std::string& name : state.snapshot().containers) {
    if (std::find_if(found.begin(), found.end(), [&](const Found& f) { return f.observed.name == name; }) == found.end()) {
      STACK_TRY(impl.destroy_container(project, name, state, std::chrono::seconds(0)));
    }
  }
  // Its names leave the networks it shares with other projects, which keep running.
  STACK_TRY(impl.refresh_discovery(project));
  for (const std::string& name : state.snapshot().networks) STACK_TRY(impl.remove_network(name, state));
  if (options.volumes) {
    for (const std::string& name : state.snapshot().volumes) STACK_TRY(impl.remove_volume(name, state));
  }
  STACK_TRY(state.remove_if_empty());
  std::error_code ec;
  fs::remove(util::StateRoot(impl.options.root).project_etc(project), ec);
  return util::ok();
}

Result<std::vector<ContainerView>> Engine::containers(const std::string& project) {
  STACK_ASSIGN_OR_RETURN(std::vector<Found> found, impl_->find(project));
  std::vector<ContainerView> out;
  for (Found& f : found) {
    ContainerView v;
    v.name = f.observed.name;
    v.service = f.observed.service;
    v.number = f.observed.number;
    v.one_off = f.observed.one_off;
    auto image = f.config.labels.find(kLabelImage);
    if (image != f.config.labels.end()) v.image = image->second;
    v.command = f.config.container.args;
    v.state = f.state;
    if (!runtime::shim::is_final(f.state.status)) v.ports = f.state.ports;
    for (const auto& [key, value] : f.config.labels) {
      if (key.rfind(kLabelNetworkPrefix, 0) == 0) v.addresses[key.substr(std::strlen(kLabelNetworkPrefix))] = value;
      if (key.rfind(kLabelNetwork6Prefix, 0) == 0) v.addresses6[key.substr(std::strlen(kLabelNetwork6Prefix))] = value;
    }
    struct stat st {};
    std::string config_file = runtime::StatePaths(impl_->options.root).config_file(v.name);
    if (::stat(config_file.c_str(), &st) == 0) {
      v.created = runtime::shim::format_rfc3339_nano(st.st_mtim);
    }
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(), [](const ContainerView& a, const ContainerView& b) {
    return std::tie(a.service, a.one_off, a.number, a.name) < std::tie(b.service, b.one_off, b.number, b.name);
  });
  return out;
}

}  // namespace stack::scheduler
