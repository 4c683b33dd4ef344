// scheduler::plan: what `up` must do to make the containers on the host match the stack file. A
// pure function of the desired services and the observed containers: no syscalls, so that every
// case is unit-tested without root (tests/unit/scheduler/plan_test.cpp). The executor applies it.
//
// Per service, per replica number n in 1..replicas:
//   no container            -> create
//   config hash differs     -> recreate (stop, remove, create), unless recreate == never
//   recreate == force       -> recreate
//   running or restarting   -> keep (a second `up` touches nothing)
//   created/exited/stopped  -> start
// Containers numbered above replicas are removed (scaled down). Containers of services that are
// no longer in the file are orphans: reported, and removed only with remove_orphans. A service
// recreated forces the recreation of the services that share its network namespace
// (network_mode: service:X), and the ones that asked for it (depends_on.restart: true).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "scheduler/graph.hpp"

namespace stack::scheduler {

struct ObservedContainer {
  std::string name;
  std::string service;
  int number = 1;
  std::string config_hash;
  bool one_off = false;  // `stack run`: never part of a service's replicas
  bool running = false;  // running or restarting (a live shim supervises it)
};

struct DesiredService {
  std::string name;
  std::string config_hash;
  int replicas = 1;
  std::string container_name;  // container_name: from the file; "" = {project}-{service}-{n}
};

enum class RecreatePolicy { diverged, force, never };

struct PlanInput {
  std::string project;
  std::vector<DesiredService> services;  // every service of the file
  std::set<std::string> targets;         // the services to converge; empty = all
  RecreatePolicy recreate = RecreatePolicy::diverged;
  bool remove_orphans = false;
};

enum class StepKind { create, recreate, start, keep, remove };

struct Step {
  StepKind kind = StepKind::keep;
  std::string service;
  int number = 1;
  std::string name;      // the container to create, start, keep or remove
  std::string old_name;  // recreate: the container it replaces (differs if container_name changed)
  std::string reason;    // why, for progress output and tests: "config changed", "scaled down", ...
  bool operator==(const Step&) const = default;
};

struct Plan {
  // Services in start order; within a service removals first, then by number.
  std::map<std::string, std::vector<Step>> services;
  std::vector<Step> orphans;  // remove steps when remove_orphans, otherwise only reported
  std::vector<std::string> order;  // the keys of services, in start order

  // True when applying the plan changes nothing (every step is keep, no orphan to remove).
  bool converged() const;
};

// The container name of replica n: container_name if given, else {project}-{service}-{n}.
std::string container_name(const std::string& project, const DesiredService& service, int number);

Plan plan(const PlanInput& input, const Graph& graph, const std::vector<ObservedContainer>& observed);

const char* step_name(StepKind kind);

}  // namespace stack::scheduler
