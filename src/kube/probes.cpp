// healthcheck -> readinessProbe (and livenessProbe with --liveness, or when x-health-on-failure
// kills or restarts); start_period -> startupProbe.
#include "kube/context.hpp"
#include "kube/quantity.hpp"

namespace stack::kube {

namespace {

using namespace std::chrono_literals;

// docker's defaults for unset fields.
constexpr spec::Duration kInterval = 30s, kTimeout = 30s, kStartInterval = 5s;
constexpr int kRetries = 3;

int64_t seconds_of(Context& ctx, const spec::Service& s, const char* key, spec::Duration d) {
  Seconds secs = whole_seconds(d);
  if (!secs.exact)
    ctx.warnings.add(Context::path(s, std::string("healthcheck.") + key),
                     "rounded up to " + std::to_string(secs.value) +
                         "s: probes count in whole seconds");
  return secs.value;
}

// The readiness and startup probes of the healthcheck; false when there is none to make.
bool add_health_probes(Context& ctx, const spec::Service& s, json& container) {
  if (!s.healthcheck || s.healthcheck->disable) return false;
  const spec::Healthcheck& h = *s.healthcheck;
  if (h.test.empty()) {
    ctx.warnings.add(Context::path(s, "healthcheck"),
                     "no probe: the test is the image's HEALTHCHECK, which Kubernetes does not run");
    return false;
  }
  json command = json::array();
  if (h.test[0] == "CMD-SHELL") {
    command = {"/bin/sh", "-c", h.test.size() > 1 ? h.test[1] : ""};
  } else {
    for (size_t i = 1; i < h.test.size(); ++i) command.push_back(h.test[i]);
  }
  if (command.empty()) return false;
  json probe = {{"exec", {{"command", command}}},
                {"periodSeconds", seconds_of(ctx, s, "interval", h.interval.value_or(kInterval))},
                {"timeoutSeconds", seconds_of(ctx, s, "timeout", h.timeout.value_or(kTimeout))},
                {"failureThreshold", h.retries.value_or(kRetries) > 0 ? h.retries.value_or(kRetries) : 1}};
  container["readinessProbe"] = probe;
  if (h.start_period && h.start_period->count() > 0) {
    // Failures in the start period do not count under stack; the startup probe runs at
    // start_interval for that long, then gives way to the others.
    int64_t period = seconds_of(ctx, s, "start_interval", h.start_interval.value_or(kStartInterval));
    int64_t window = whole_seconds(*h.start_period).value;
    json startup = probe;
    startup["periodSeconds"] = period;
    startup["failureThreshold"] = (window + period - 1) / period + probe["failureThreshold"].get<int64_t>();
    container["startupProbe"] = std::move(startup);
  }
  return true;
}

// x-health-on-failure: `kill` and `restart` are what the kubelet does when a livenessProbe fails
// (it kills the container; the pod's restartPolicy decides what follows); `stop` has no equal.
bool live_on_failure(Context& ctx, const spec::Service& s, bool probe) {
  using Action = spec::Service::HealthAction;
  std::string path = Context::path(s, "x-health-on-failure");
  switch (s.health_on_failure) {
    case Action::none: return false;
    case Action::stop:
      ctx.warnings.add(path, "dropped: the kubelet cannot leave a container stopped (a failing "
                             "livenessProbe, --liveness, restarts it)");
      return false;
    case Action::kill:
    case Action::restart: break;
  }
  if (!probe) {
    ctx.warnings.add(path, "dropped: no probe to act on");
    return false;
  }
  if (s.health_on_failure == Action::restart && ctx.jobs.count(s.name) != 0 &&
      s.restart.kind == spec::RestartPolicy::Kind::no)
    ctx.warnings.add(path, "approximated by a livenessProbe: the kubelet kills the container and "
                           "the Job's restartPolicy Never does not start it again");
  return true;
}

}  // namespace

void add_probes(Context& ctx, const spec::Service& s, json& container) {
  bool probe_made = add_health_probes(ctx, s, container);
  if (live_on_failure(ctx, s, probe_made) || (probe_made && ctx.options.liveness))
    container["livenessProbe"] = container["readinessProbe"];
}

}  // namespace stack::kube
