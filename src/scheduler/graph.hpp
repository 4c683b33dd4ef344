// scheduler::Graph: the services of a stack as a dependency DAG. Edges point from a service to
// what it needs, each with the condition to wait for (started / healthy / completed). Everything
// the executor asks of the order lives here: start waves, shutdown order, `up SERVICE...` subsets
// and the dependents to recreate. Deterministic: every tie is broken by service name.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "spec/model.hpp"
#include "util/result.hpp"

namespace stack::scheduler {

struct Edge {
  std::string service;  // the dependency
  spec::Condition condition = spec::Condition::service_started;
  bool required = true;
  bool restart = false;   // restart the dependent when the dependency is restarted
  bool implicit = false;  // from `network_mode: service:X`, not written in depends_on
  bool operator==(const Edge&) const = default;
};

class Graph {
 public:
  // Every service, sorted by name.
  std::vector<std::string> services() const;
  bool contains(std::string_view service) const;
  size_t size() const { return nodes_.size(); }

  // What `service` waits for, sorted by dependency name; empty for an unknown service.
  const std::vector<Edge>& dependencies(std::string_view service) const;
  // The services that name `service` directly, sorted.
  const std::vector<std::string>& direct_dependents(std::string_view service) const;

  // Dependencies before dependents; among services whose dependencies are all placed, the
  // smallest name first.
  const std::vector<std::string>& start_order() const { return order_; }
  // Dependents before dependencies: the reverse of start_order().
  std::vector<std::string> shutdown_order() const;
  // Start waves: every service of a wave has its dependencies in earlier waves, so a wave can be
  // started in parallel once the previous one met its conditions. Names sorted within a wave.
  std::vector<std::vector<std::string>> waves() const;

  // The named services plus everything they depend on, transitively (for `up SERVICE...`); an
  // unknown name is an error, an empty list gives an empty graph.
  util::Result<Graph> subset(const std::vector<std::string>& names) const;
  // Every service that depends on `service`, directly or not, in start order: what has to be
  // recreated when `service` is.
  util::Result<std::vector<std::string>> dependents_of(std::string_view service) const;

 private:
  struct Node {
    std::vector<Edge> dependencies;       // sorted by Edge::service
    std::vector<std::string> dependents;  // sorted
  };

  friend util::Result<Graph> compile(const spec::Stack& stack);

  // Fills dependents and the start order; fails on a cycle.
  util::Result<void> finish();

  std::map<std::string, Node, std::less<>> nodes_;
  std::vector<std::string> order_;
};

// Builds the graph of a normalised stack. A required dependency on a service that is not in the
// stack is an error; an optional one (required: false) is dropped, as compose does.
util::Result<Graph> compile(const spec::Stack& stack);

}  // namespace stack::scheduler
