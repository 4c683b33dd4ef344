// scheduler::plan: what `up` must do to make the containers on the host match the stack file. A
// pure function of the desired services and the observed containers: no syscalls, so that every
// case is unit-tested without root (tests/unit/scheduler/plan_test.cpp). The executor applies it.
//
// Per service, per replica number n in 1..replicas:
//   no container            -> create
//   config hash differs     -> recreate (stop, remove, create), unless recreate == never
//   recreate == force       -> recreate
//   running or restarting   -> keep (a second `up` touches nothing)
//   created/exited/stopped  -> start, unless leave_exited (the daemon's passes, below)
//
// With leave_exited (a resync of `stack daemon`), a container that ended is its restart policy's
// business, not the reconciler's: one that exited on its own or was stopped by the user is kept
// as it is; only one whose shim died (nothing supervises it any more) is started again, and only
// when its service's policy restarts; one created but never started is started.
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

// How a container that is not running came to end.
enum class Ended {
  not_ended,   // running, or created and never started
  by_itself,   // its process exited and its policy did not restart it
  by_user,     // `stack stop` (or kill): stays down until start or up
  shim_died,   // its supervisor died (kill -9, OOM, a crash): nothing decided it should end
};

struct ObservedContainer {
  std::string name;
  std::string service;
  int number = 1;
  std::string config_hash;
  bool one_off = false;  // `stack run`: never part of a service's replicas
  bool running = false;  // running or restarting (a live shim supervises it)
  Ended ended = Ended::not_ended;
};

struct DesiredService {
  std::string name;
  std::string config_hash;
  int replicas = 1;
  std::string container_name;  // container_name: from the file; "" = {project}-{service}-{n}
  bool restarts = false;       // its restart policy restarts it (always, unless-stopped, on-failure)
};

enum class RecreatePolicy { diverged, force, never };

struct PlanInput {
  std::string project;
  std::vector<DesiredService> services;  // every service of the file
  std::set<std::string> targets;         // the services to converge; empty = all
  RecreatePolicy recreate = RecreatePolicy::diverged;
  bool remove_orphans = false;
  bool leave_exited = false;  // the daemon's resync: ended containers follow their policy (above)
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
