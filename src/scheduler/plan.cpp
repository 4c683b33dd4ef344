#include "scheduler/plan.hpp"

#include <algorithm>

namespace stack::scheduler {

namespace {

std::map<std::string, std::vector<const ObservedContainer*>> by_service(
    const std::vector<ObservedContainer>& observed) {
  std::map<std::string, std::vector<const ObservedContainer*>> out;
  for (const auto& c : observed) {
    if (!c.one_off) out[c.service].push_back(&c);
  }
  for (auto& [service, list] : out) {
    std::sort(list.begin(), list.end(), [](const auto* a, const auto* b) {
      return a->number != b->number ? a->number < b->number : a->name < b->name;
    });
  }
  return out;
}

// A resync's decision for a container that is not running (plan.hpp).
void leave_to_policy(const DesiredService& service, const ObservedContainer& existing, Step& s) {
  switch (existing.ended) {
    case Ended::not_ended:
      s.reason = "created, not started";
      return;
    case Ended::by_itself:
      s.kind = StepKind::keep;
      s.reason = "exited";
      return;
    case Ended::by_user:
      s.kind = StepKind::keep;
      s.reason = "stopped by the user";
      return;
    case Ended::shim_died:
      s.kind = service.restarts ? StepKind::start : StepKind::keep;
      s.reason = service.restarts ? "its shim died" : "its shim died (restart: no)";
      return;
  }
}

Step step_for(const PlanInput& input, const DesiredService& service, int number,
              const ObservedContainer* existing) {
  Step s{StepKind::create, service.name, number, container_name(input.project, service, number), "", ""};
  if (existing == nullptr) {
    s.reason = "missing";
    return s;
  }
  s.old_name = existing->name;
  bool diverged = existing->config_hash != service.config_hash || existing->name != s.name;
  if (input.recreate == RecreatePolicy::force || (diverged && input.recreate == RecreatePolicy::diverged)) {
    s.kind = StepKind::recreate;
    s.reason = input.recreate == RecreatePolicy::force ? "forced" : "config changed";
    return s;
  }
  s.name = existing->name;
  s.old_name.clear();
  s.kind = existing->running ? StepKind::keep : StepKind::start;
  s.reason = existing->running ? "running" : "not running";
  if (!existing->running && input.leave_exited) leave_to_policy(service, *existing, s);
  return s;
}

// Whether a change of dependency `edge` makes its dependent's containers invalid.
bool must_follow(const Edge& edge) { return edge.implicit || edge.restart; }

}  // namespace

bool Plan::converged() const {
  if (!orphans.empty() && orphans.front().kind == StepKind::remove) return false;
  for (const auto& [service, steps] : services) {
    for (const Step& s : steps) {
      if (s.kind != StepKind::keep) return false;
    }
  }
  return true;
}

std::string container_name(const std::string& project, const DesiredService& service, int number) {
  if (!service.container_name.empty()) return service.container_name;
  return project + "-" + service.name + "-" + std::to_string(number);
}

Plan plan(const PlanInput& input, const Graph& graph, const std::vector<ObservedContainer>& observed) {
  Plan out;
  auto existing = by_service(observed);
  std::map<std::string, const DesiredService*> desired;
  for (const auto& s : input.services) desired[s.name] = &s;

  for (const std::string& name : graph.start_order()) {
    auto it = desired.find(name);
    if (it == desired.end()) continue;
    if (!input.targets.empty() && !input.targets.count(name)) continue;
    const DesiredService& service = *it->second;
    std::vector<Step> steps;
    std::map<int, const ObservedContainer*> by_number;
    for (const auto* c : existing[name]) {
      if (c->number > service.replicas || by_number.count(c->number)) {
        steps.push_back({StepKind::remove, name, c->number, c->name, "", "scaled down"});
      } else {
        by_number[c->number] = c;
      }
    }
    // A dependency recreated here takes this service's containers with it when they depend on it.
    bool follow = false;
    std::string followed;
    for (const Edge& edge : graph.dependencies(name)) {
      auto dep = out.services.find(edge.service);
      if (dep == out.services.end() || !must_follow(edge)) continue;
      for (const Step& s : dep->second) {
        if (s.kind == StepKind::recreate || s.kind == StepKind::create) {
          follow = true;
          followed = edge.service;
        }
      }
    }
    for (int n = 1; n <= service.replicas; ++n) {
      auto found = by_number.find(n);
      Step s = step_for(input, service, n, found == by_number.end() ? nullptr : found->second);
      if (follow && (s.kind == StepKind::keep || s.kind == StepKind::start) &&
          input.recreate != RecreatePolicy::never) {
        s.old_name = s.name;
        s.name = container_name(input.project, service, n);
        s.kind = StepKind::recreate;
        s.reason = "dependency " + followed + " recreated";
      }
      steps.push_back(std::move(s));
    }
    out.order.push_back(name);
    out.services.emplace(name, std::move(steps));
  }

  for (const auto& [service, list] : existing) {
    if (desired.count(service)) continue;
    for (const auto* c : list) {
      out.orphans.push_back({input.remove_orphans ? StepKind::remove : StepKind::keep, service,
                             c->number, c->name, "", "orphan"});
    }
  }
  return out;
}

const char* step_name(StepKind kind) {
  switch (kind) {
    case StepKind::create: return "create";
    case StepKind::recreate: return "recreate";
    case StepKind::start: return "start";
    case StepKind::keep: return "keep";
    case StepKind::remove: return "remove";
  }
  return "keep";
}

}  // namespace stack::scheduler
