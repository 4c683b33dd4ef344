// What users do to existing containers: start, stop, restart, kill, rm, and one-off `run`.
#include <time.h>

#include <algorithm>
#include <ctime>
#include <future>
#include <map>
#include <random>

#include "scheduler/engine_impl.hpp"
#include "scheduler/runtime_failure.hpp"

namespace stack::scheduler {

using util::Errc;
using util::Error;
using util::Result;

namespace {

// The project's non-one-off containers of the named services (all when empty); an unknown
// service is an error only when the project has no container of it at all.
Result<std::vector<Found>> select(Engine::Impl& impl, const std::string& project,
                                  const std::vector<std::string>& services, bool one_off_too) {
  STACK_ASSIGN_OR_RETURN(std::vector<Found> found, impl.find(project));
  std::vector<Found> out;
  for (const std::string& s : services) {
    bool any = std::any_of(found.begin(), found.end(), [&](const Found& f) { return f.observed.service == s; });
    if (!any) return Error(Errc::not_found, "no container found for service " + s);
  }
  for (Found& f : found) {
    if (f.observed.one_off && !one_off_too) continue;
    if (!services.empty() && std::find(services.begin(), services.end(), f.observed.service) == services.end()) continue;
    out.push_back(std::move(f));
  }
  return out;
}

// "2026-11-28T07:01:25.123456789Z" (as the shim writes it) -> a time point.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text) {
  std::tm tm{};
  const char* rest = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return std::nullopt;
  long long nanos = 0;
  if (*rest == '.') {
    int digits = 0;
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest, ++digits) {
      if (digits < 9) nanos = nanos * 10 + (*rest - '0');
    }
    for (; digits < 9; ++digits) nanos *= 10;
  }
  return std::chrono::system_clock::from_time_t(::timegm(&tm)) +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(nanos));
}

// The containers by the wave of their service (the stack's graph, in start order); containers
// of services no wave names (no stack file, or a service since removed from it) go together
// after the last.
Result<std::vector<std::vector<Found>>> by_wave(std::vector<Found> list, const spec::Stack* stack) {
  std::vector<std::vector<std::string>> waves;
  if (stack != nullptr) {
    STACK_ASSIGN_OR_RETURN(Graph graph, compile(*stack));
    waves = graph.waves();
  }
  std::map<std::string, size_t> wave_of;
  for (size_t i = 0; i < waves.size(); ++i) {
    for (const std::string& service : waves[i]) wave_of[service] = i;
  }
  std::vector<std::vector<Found>> out(waves.size() + 1);
  for (Found& f : list) {
    auto it = wave_of.find(f.observed.service);
    out[it == wave_of.end() ? waves.size() : it->second].push_back(std::move(f));
  }
  std::erase_if(out, [](const std::vector<Found>& wave) { return wave.empty(); });
  return out;
}

// fn on every container, a wave at a time (in parallel within it), in start order or reversed; a
// failed wave stops the ones after it.
template <class F>
Result<void> in_waves(std::vector<std::vector<Found>> waves, bool reverse, F&& fn) {
  if (reverse) std::reverse(waves.begin(), waves.end());
  for (const auto& wave : waves) STACK_TRY(parallel(wave, fn));
  return util::ok();
}

const spec::Service* service_of(const spec::Stack* stack, const Found& f) {
  return stack == nullptr ? nullptr : stack->find_service(f.observed.service);
}

// A start's failure names the container, and the service key when the runtime says which.
Result<void> started_in_service_terms(Result<void> started, const ObservedContainer& c) {
  if (started) return started;
  return in_service_terms(c.service, std::move(started).error()).context("container " + c.name);
}

}  // namespace

Result<void> Engine::start(const std::string& project, const std::vector<std::string>& services,
                           const spec::Stack* stack) {
  Impl& impl = *impl_;
  STACK_ASSIGN_OR_RETURN(ProjectLock lock, ProjectLock::acquire(impl.options.root, project));
  STACK_ASSIGN_OR_RETURN(auto list, select(impl, project, services, false));
  STACK_ASSIGN_OR_RETURN(auto waves, by_wave(std::move(list), stack));
  return in_waves(std::move(waves), false, [&](const Found& f) -> Result<void> {
    if (f.observed.running) return util::ok();
    impl.report("Container", f.observed.name, "Starting", false);
    STACK_TRY(started_in_service_terms(impl.runtime.start(f.observed.name), f.observed));
    impl.report("Container", f.observed.name, "Started");
    return impl.after_start(service_of(stack, f), f.observed.name);
  });
}

Result<void> Engine::stop(const std::string& project, const std::vector<std::string>& services,
                          std::optional<std::chrono::nanoseconds> timeout, const spec::Stack* stack) {
  Impl& impl = *impl_;
  STACK_ASSIGN_OR_RETURN(ProjectLock lock, ProjectLock::acquire(impl.options.root, project));
  STACK_ASSIGN_OR_RETURN(auto list, select(impl, project, services, true));
  STACK_ASSIGN_OR_RETURN(auto waves, by_wave(std::move(list), stack));
  return in_waves(std::move(waves), true, [&](const Found& f) -> Result<void> {
    if (!f.observed.running) return util::ok();
    impl.before_stop(service_of(stack, f), f.observed.name);
    impl.report("Container", f.observed.name, "Stopping", false);
    STACK_TRY(impl.runtime.stop(f.observed.name, timeout).context("container " + f.observed.name));
    impl.report("Container", f.observed.name, "Stopped");
    return util::ok();
  });
}

Result<void> Engine::restart(const std::string& project, const std::vector<std::string>& services,
                             std::optional<std::chrono::nanoseconds> timeout, const spec::Stack* stack) {
  Impl& impl = *impl_;
  STACK_ASSIGN_OR_RETURN(ProjectLock lock, ProjectLock::acquire(impl.options.root, project));
  STACK_ASSIGN_OR_RETURN(auto list, select(impl, project, services, false));
  STACK_ASSIGN_OR_RETURN(auto waves, by_wave(std::move(list), stack));
  return in_waves(std::move(waves), false, [&](const Found& f) -> Result<void> {
    impl.report("Container", f.observed.name, "Restarting", false);
    if (f.observed.running) impl.before_stop(service_of(stack, f), f.observed.name);
    STACK_TRY(impl.runtime.stop(f.observed.name, timeout).context("container " + f.observed.name));
    STACK_TRY(started_in_service_terms(impl.runtime.start(f.observed.name), f.observed));
    impl.report("Container", f.observed.name, "Started");
    return impl.after_start(service_of(stack, f), f.observed.name);
  });
}

Result<void> Engine::kill(const std::string& project, const std::vector<std::string>& services, int signal) {
  Impl& impl = *impl_;
  STACK_ASSIGN_OR_RETURN(auto list, select(impl, project, services, true));
  return parallel(list, [&](const Found& f) -> Result<void> {
    if (!f.observed.running) return util::ok();
    STACK_TRY(impl.runtime.kill(f.observed.name, signal).context("container " + f.observed.name));
    impl.report("Container", f.observed.name, "Killed");
    return util::ok();
  });
}

Result<void> Engine::remove(const std::string& project, const std::vector<std::string>& services,
                            bool force, bool volumes) {
  Impl& impl = *impl_;
  STACK_ASSIGN_OR_RETURN(ProjectLock lock, ProjectLock::acquire(impl.options.root, project));
  ProjectState state(impl.options.root, project);
  STACK_TRY(state.load());
  STACK_ASSIGN_OR_RETURN(auto list, select(impl, project, services, true));
  for (const Found& f : list) {
    if (f.observed.running && !force) {
      return Error(Errc::conflict, "container " + f.observed.name + " is running: stop it first or use --force");
    }
  }
  STACK_TRY(parallel(list, [&](const Found& f) -> Result<void> {
    STACK_TRY(impl.destroy_container(project, f.observed.name, state, std::chrono::seconds(0)));
    impl.report("Container", f.observed.name, "Removed");
    if (volumes) {
      // Anonymous volumes are named after their container.
      for (const std::string& v : state.snapshot().volumes) {
        if (v.rfind(f.observed.name + "_", 0) == 0) STACK_TRY(impl.remove_volume(v, state));
      }
    }
    return util::ok();
  }));
  return impl.refresh_discovery(project);
}

Result<std::string> Engine::run(const spec::Stack& stack, const std::string& service_name,
                                const RunOptions& options) {
  Impl& impl = *impl_;
  const spec::Service* found = stack.find_service(service_name);
  if (found == nullptr) return Error(Errc::not_found, "no such service: " + service_name);
  spec::Service service = *found;
  if (options.command) service.command = options.command;
  if (options.entrypoint) service.entrypoint = options.entrypoint;
  for (const auto& [k, v] : options.environment) service.environment[k] = v;
  if (!options.user.empty()) service.user = options.user;
  if (!options.working_dir.empty()) service.working_dir = options.working_dir;
  service.restart = {};  // a one-off container is never restarted, as compose's run
  service.container_name.clear();
  service.healthcheck = spec::Healthcheck{};
  service.healthcheck->disable = true;

  if (!options.no_deps && !service.depends_on.empty()) {
    UpOptions up_options;
    for (const auto& d : service.depends_on) up_options.services.insert(d.service);
    STACK_TRY(up(stack, up_options));
  }
  std::string name = options.name;
  if (name.empty()) {
    std::random_device rd;
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%06x", rd() & 0xffffff);
    name = stack.name + "-" + service.name + "-run-" + suffix;
  }
  STACK_ASSIGN_OR_RETURN(ProjectLock lock, ProjectLock::acquire(impl.options.root, stack.name));
  ProjectState state(impl.options.root, stack.name);
  STACK_TRY(state.load());
  STACK_TRY(impl.ensure_networks(stack, state));
  STACK_TRY(impl.ensure_volumes(stack, state));
  STACK_TRY(impl.create_container({&stack, &service, 1, name, true, options.publish_ports}, state));
  STACK_TRY(impl.refresh_discovery(stack.name));
  STACK_TRY(impl.await_networks());
  return name;
}

Result<void> Engine::remove_container(const std::string& project, const std::string& name) {
  Impl& impl = *impl_;
  STACK_ASSIGN_OR_RETURN(ProjectLock lock, ProjectLock::acquire(impl.options.root, project));
  ProjectState state(impl.options.root, project);
  STACK_TRY(state.load());
  STACK_TRY(impl.destroy_container(project, name, state, std::chrono::seconds(0)));
  for (const std::string& v : state.snapshot().volumes) {
    if (v.rfind(name + "_", 0) == 0) STACK_TRY(impl.remove_volume(v, state));
  }
  return impl.refresh_discovery(project);
}

std::string describe_status(const runtime::shim::ContainerState& s, std::chrono::system_clock::time_point now) {
  using runtime::shim::Status;
  auto ago = [&](const std::string& when) -> std::string {
    auto t = parse_rfc3339(when);
    if (!t) return "";
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - *t).count();
    if (secs < 1) return "Less than a second";
    if (secs < 60) return std::to_string(secs) + (secs == 1 ? " second" : " seconds");
    if (secs < 3600) return std::to_string(secs / 60) + (secs / 60 == 1 ? " minute" : " minutes");
    if (secs < 86400) return std::to_string(secs / 3600) + (secs / 3600 == 1 ? " hour" : " hours");
    return std::to_string(secs / 86400) + (secs / 86400 == 1 ? " day" : " days");
  };
  switch (s.status) {
    case Status::created: return "Created";
    case Status::restarting: return "Restarting (" + std::to_string(s.exit_code) + ")";
    case Status::running: {
      std::string out = "Up " + ago(s.started_at);
      if (s.health) out += std::string(" (") + runtime::shim::health_status_name(s.health->status) + ")";
      return out;
    }
    case Status::exited:
    case Status::stopped: {
      std::string out = "Exited (" + std::to_string(s.exit_code) + ")";
      std::string when = ago(s.finished_at);
      if (!when.empty()) out += " " + when + " ago";
      return out;
    }
  }
  return "unknown";
}

}  // namespace stack::scheduler
