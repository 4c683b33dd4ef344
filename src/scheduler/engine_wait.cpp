// Waiting on depends_on conditions and on `up --wait`: the containers' states are read again
// whenever the runtime's watch reports a change (a shim replaced a state file or exited).
#include "scheduler/engine_impl.hpp"

namespace stack::scheduler {

using runtime::shim::HealthStatus;
using runtime::shim::Status;
using util::Errc;
using util::Error;
using util::Result;

namespace {

// A safety net only: every change the waits look for wakes them at once.
constexpr auto kRecheck = std::chrono::seconds(2);

std::string exited(const runtime::shim::ContainerState& s) {
  if (!s.error.empty()) return s.error;
  return "exited (" + std::to_string(s.exit_code) + ")";
}

// ok: met; nullopt: not yet; error: never will be.
using Check = std::optional<Result<void>>;

Check check(const Found& c, spec::Condition condition) {
  const auto& s = c.state;
  bool final = runtime::shim::is_final(s.status) || !s.shim_alive;
  switch (condition) {
    case spec::Condition::service_started:
      return Result<void>(util::ok());
    case spec::Condition::service_healthy:
      if (!c.config.healthcheck) {
        return Result<void>(Error(Errc::conflict, "container " + c.observed.name + " has no healthcheck configured"));
      }
      if (s.health && s.health->status == HealthStatus::healthy && !final) return Result<void>(util::ok());
      if (s.health && s.health->status == HealthStatus::unhealthy) {
        return Result<void>(Error(Errc::conflict, "container " + c.observed.name + " is unhealthy"));
      }
      if (final) return Result<void>(Error(Errc::conflict, "container " + c.observed.name + " " + exited(s)));
      return std::nullopt;
    case spec::Condition::service_completed_successfully:
      if (!final) return std::nullopt;
      if (s.exit_code == 0 && s.error.empty()) return Result<void>(util::ok());
      return Result<void>(Error(Errc::conflict, "service " + c.observed.service + " didn't complete successfully: " + exited(s)));
  }
  return std::nullopt;
}

}  // namespace

Result<void> Engine::Impl::wait_for(const std::string& project, const std::string& service,
                                    spec::Condition condition) {
  bool waiting_reported = false;
  STACK_ASSIGN_OR_RETURN(auto watch, runtime.watch({}));
  for (;;) {
    STACK_ASSIGN_OR_RETURN(auto found, find(project));
    bool any = false, pending = false;
    for (const Found& c : found) {
      if (c.observed.service != service || c.observed.one_off) continue;
      any = true;
      STACK_TRY(watch->add(c.observed.name, c.state));
      Check r = check(c, condition);
      if (!r) {
        pending = true;
      } else if (!*r) {
        return Error(Errc::conflict, "dependency failed to start: " + r->error().message());
      }
    }
    if (!any) return Error(Errc::not_found, "dependency failed to start: service " + service + " has no container");
    auto each_container = [&](const char* status, bool done) {
      for (const Found& c : found) {
        if (c.observed.service == service && !c.observed.one_off) report("Container", c.observed.name, status, done);
      }
    };
    if (!pending) {
      if (condition == spec::Condition::service_healthy) each_container("Healthy", true);
      if (condition == spec::Condition::service_completed_successfully) each_container("Exited", true);
      return util::ok();
    }
    if (!waiting_reported && condition != spec::Condition::service_started) {
      each_container("Waiting", false);
      waiting_reported = true;
    }
    STACK_TRY(watch->wait(kRecheck));
  }
}

Result<void> Engine::Impl::wait_ready(const std::string& project, const std::set<std::string>& services,
                                      std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  STACK_ASSIGN_OR_RETURN(auto watch, runtime.watch({}));
  for (;;) {
    STACK_ASSIGN_OR_RETURN(auto found, find(project));
    std::string pending;
    for (const Found& c : found) {
      if (c.observed.one_off || (!services.empty() && !services.count(c.observed.service))) continue;
      STACK_TRY(watch->add(c.observed.name, c.state));
      const auto& s = c.state;
      if (runtime::shim::is_final(s.status) || !s.shim_alive) {
        // A one-shot service that completed is ready; one that failed is not.
        if (s.exit_code == 0 && s.error.empty()) continue;
        return Error(Errc::conflict, "container " + c.observed.name + " " + exited(s));
      }
      if (c.config.healthcheck) {
        if (s.health && s.health->status == HealthStatus::unhealthy) {
          return Error(Errc::conflict, "container " + c.observed.name + " is unhealthy");
        }
        if (!s.health || s.health->status != HealthStatus::healthy) pending = c.observed.name;
      } else if (s.status != Status::running) {
        pending = c.observed.name;
      }
    }
    if (pending.empty()) return util::ok();
    if (timeout.count() > 0 && std::chrono::steady_clock::now() >= deadline) {
      return Error(Errc::timeout, "timed out waiting for container " + pending + " to be ready");
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    STACK_TRY(watch->wait(timeout.count() > 0 ? std::min<std::chrono::milliseconds>(left, kRecheck) : kRecheck));
  }
}

}  // namespace stack::scheduler
