#include "scheduler/graph.hpp"

#include <algorithm>
#include <deque>
#include <set>

namespace stack::scheduler {

using util::Errc;
using util::Result;

namespace {

const std::vector<Edge> kNoEdges;
const std::vector<std::string> kNoNames;

std::string single_quoted(std::string_view name) { return "'" + std::string(name) + "'"; }

// Adds an edge unless one to the same service exists: a written depends_on wins over the
// implicit edge of network_mode, since it carries the user's condition.
void add_edge(std::vector<Edge>& edges, Edge edge) {
  auto same = [&](const Edge& e) { return e.service == edge.service; };
  if (std::none_of(edges.begin(), edges.end(), same)) edges.push_back(std::move(edge));
}

Result<std::vector<Edge>> edges_of(const spec::Service& service, const spec::Stack& stack) {
  std::vector<Edge> edges;
  for (const spec::Dependency& dep : service.depends_on) {
    if (stack.find_service(dep.service) == nullptr) {
      // compose skips an optional dependency that is not part of the project (e.g. profile off)
      if (!dep.required) continue;
      return util::fail(Errc::not_found, "service " + single_quoted(service.name) +
                                             " depends on unknown service " + single_quoted(dep.service));
    }
    add_edge(edges, Edge{dep.service, dep.condition, dep.required, dep.restart, false});
  }
  if (service.network_mode.kind == spec::NetworkMode::Kind::service) {
    const std::string& target = service.network_mode.target;
    if (stack.find_service(target) == nullptr) {
      return util::fail(Errc::not_found, "service " + single_quoted(service.name) +
                                             " uses the network of unknown service " +
                                             single_quoted(target));
    }
    // Sharing a network namespace needs the target running, and a recreated target takes the
    // namespace with it: hence started + restart.
    add_edge(edges, Edge{target, spec::Condition::service_started, true, true, true});
  }
  // Joining another service's IPC or PID namespace needs its process, as sharing its network does.
  for (const spec::NamespaceMode* mode : {&service.ipc, &service.pid}) {
    if (mode->kind != spec::NamespaceMode::Kind::service) continue;
    if (stack.find_service(mode->target) == nullptr) {
      return util::fail(Errc::not_found, "service " + single_quoted(service.name) + " shares the namespace of unknown service " +
                                             single_quoted(mode->target));
    }
    add_edge(edges, Edge{mode->target, spec::Condition::service_started, true, true, true});
  }
  std::sort(edges.begin(), edges.end(),
            [](const Edge& a, const Edge& b) { return a.service < b.service; });
  return edges;
}

}  // namespace

std::vector<std::string> Graph::services() const {
  std::vector<std::string> names;
  names.reserve(nodes_.size());
  for (const auto& [name, node] : nodes_) names.push_back(name);
  return names;
}

bool Graph::contains(std::string_view service) const {
  return nodes_.find(service) != nodes_.end();
}

const std::vector<Edge>& Graph::dependencies(std::string_view service) const {
  auto it = nodes_.find(service);
  return it == nodes_.end() ? kNoEdges : it->second.dependencies;
}

const std::vector<std::string>& Graph::direct_dependents(std::string_view service) const {
  auto it = nodes_.find(service);
  return it == nodes_.end() ? kNoNames : it->second.dependents;
}

std::vector<std::string> Graph::shutdown_order() const {
  return std::vector<std::string>(order_.rbegin(), order_.rend());
}

std::vector<std::vector<std::string>> Graph::waves() const {
  // A service's wave is one past the latest wave among its dependencies; start_order() places
  // every dependency first, so one pass suffices.
  std::map<std::string_view, size_t> wave_of;
  std::vector<std::vector<std::string>> waves;
  for (const std::string& name : order_) {
    size_t wave = 0;
    for (const Edge& edge : dependencies(name)) wave = std::max(wave, wave_of.at(edge.service) + 1);
    wave_of[name] = wave;
    if (waves.size() <= wave) waves.resize(wave + 1);
    waves[wave].push_back(name);
  }
  for (auto& wave : waves) std::sort(wave.begin(), wave.end());
  return waves;
}

namespace {

// Every service left over by the topological sort waits on another one left over; following the
// smallest such dependency from the smallest name must therefore come back to a service already
// seen. The cycle is printed from its smallest name so that the message does not depend on order.
std::string describe_cycle(const std::map<std::string, std::vector<Edge>, std::less<>>& left) {
  std::vector<std::string> path{left.begin()->first};
  while (true) {
    const auto& edges = left.find(path.back())->second;
    auto next = std::find_if(edges.begin(), edges.end(),
                             [&](const Edge& e) { return left.count(e.service) != 0; });
    if (next == edges.end()) return "dependency cycle through " + single_quoted(path.back());
    auto seen = std::find(path.begin(), path.end(), next->service);
    if (seen != path.end()) {
      std::vector<std::string> cycle(seen, path.end());
      std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
      std::string text = "dependency cycle: ";
      for (const std::string& name : cycle) text += name + " -> ";
      return text + cycle.front();
    }
    path.push_back(next->service);
  }
}

}  // namespace

Result<void> Graph::finish() {
  std::map<std::string_view, size_t> waiting;  // dependencies not yet placed
  for (auto& [name, node] : nodes_) node.dependents.clear();
  for (auto& [name, node] : nodes_) {
    waiting[name] = node.dependencies.size();
    for (const Edge& edge : node.dependencies) nodes_.at(edge.service).dependents.push_back(name);
  }
  std::set<std::string_view> ready;
  for (auto& [name, node] : nodes_) {
    std::sort(node.dependents.begin(), node.dependents.end());
    if (node.dependencies.empty()) ready.insert(name);
  }
  order_.clear();
  while (!ready.empty()) {
    std::string_view name = *ready.begin();
    ready.erase(ready.begin());
    order_.emplace_back(name);
    for (const std::string& dependent : nodes_.find(name)->second.dependents) {
      if (--waiting.at(dependent) == 0) ready.insert(dependent);
    }
  }
  if (order_.size() == nodes_.size()) return util::ok();
  std::map<std::string, std::vector<Edge>, std::less<>> left;
  for (const auto& [name, count] : waiting) {
    if (count != 0) left.emplace(std::string(name), nodes_.find(name)->second.dependencies);
  }
  return util::fail(Errc::invalid_argument, describe_cycle(left));
}

Result<Graph> Graph::subset(const std::vector<std::string>& names) const {
  std::set<std::string> keep;
  std::deque<std::string> todo;
  for (const std::string& name : names) {
    if (!contains(name)) return util::fail(Errc::not_found, "unknown service " + single_quoted(name));
    if (keep.insert(name).second) todo.push_back(name);
  }
  while (!todo.empty()) {
    std::string name = std::move(todo.front());
    todo.pop_front();
    for (const Edge& edge : dependencies(name)) {
      if (keep.insert(edge.service).second) todo.push_back(edge.service);
    }
  }
  Graph graph;
  for (const std::string& name : keep) graph.nodes_[name].dependencies = dependencies(name);
  STACK_TRY(graph.finish());  // a subgraph of a DAG: cannot fail, kept for safety
  return graph;
}

Result<std::vector<std::string>> Graph::dependents_of(std::string_view service) const {
  if (!contains(service)) return util::fail(Errc::not_found, "unknown service " + single_quoted(service));
  std::set<std::string_view> found;
  std::deque<std::string_view> todo{service};
  while (!todo.empty()) {
    std::string_view name = todo.front();
    todo.pop_front();
    for (const std::string& dependent : direct_dependents(name)) {
      if (found.insert(dependent).second) todo.push_back(dependent);
    }
  }
  std::vector<std::string> ordered;
  for (const std::string& name : order_) {
    if (found.count(name) != 0) ordered.push_back(name);
  }
  return ordered;
}

Result<Graph> compile(const spec::Stack& stack) {
  Graph graph;
  for (const spec::Service& service : stack.services) {
    if (graph.contains(service.name)) {
      return util::fail(Errc::invalid_argument, "duplicate service " + single_quoted(service.name));
    }
    STACK_ASSIGN_OR_RETURN(graph.nodes_[service.name].dependencies, edges_of(service, stack));
  }
  STACK_TRY(graph.finish());
  return graph;
}

}  // namespace stack::scheduler
