// scheduler::plan_networks: what `up` must do to the host for the project's networks, the
// counterpart of plan() for containers. A pure function of the desired networks and what was
// observed of them (engine_networks.cpp observes: the IPAM record, the bridge link, the firewall
// table, the DNS server, and each running container's veth), unit-tested without root
// (tests/unit/scheduler/network_plan_test.cpp).
//
//   never made (no IPAM record)    -> make the bridge, its firewall table, its DNS server
//   bridge missing (deleted)       -> make it again and re-attach every endpoint on it (the kernel
//                                     freed their veths' host ends with the bridge)
//   firewall table missing/changed -> apply the table
//   DNS server not running         -> start it
//   a running container's veth gone-> re-attach that endpoint (same name, address, MAC: its netns
//                                     persists, so it gets its address and names back unrestarted)
//   all present                    -> nothing but the bridge's idempotent ensure, which the
//                                     executor always makes (it also mends an address or MTU)
// External networks are another project's: never planned (the executor checks they exist).
#pragma once

#include <string>
#include <vector>

namespace stack::scheduler {

struct DesiredNetwork {
  std::string name;
  bool external = false;
};

struct ObservedNetwork {
  std::string name;
  bool recorded = false;  // the IPAM store holds it: made before (its subnet was chosen)
  bool bridge = false;    // its bridge link exists
  bool firewall = false;  // its table holds exactly the file's rules (and ip_forward is on if it masquerades)
  bool dns = false;       // its DNS server runs
};

// A running container's place on a network it is attached to by its labels.
struct ObservedEndpoint {
  std::string container;
  std::string network;
  bool attached = false;  // its veth exists and is a port of the network's bridge
};

struct NetworkStep {
  std::string network;
  bool make_bridge = false;
  bool apply_firewall = false;
  bool start_dns = false;
  std::vector<std::string> reattach;  // containers, in name order
  std::string reason;                 // "new", "bridge deleted", ...: for logs and tests
  bool operator==(const NetworkStep&) const = default;
};

struct NetworkPlan {
  std::vector<NetworkStep> steps;  // in the order of the desired networks; none for converged ones
  bool converged() const { return steps.empty(); }
};

NetworkPlan plan_networks(const std::vector<DesiredNetwork>& desired, const std::vector<ObservedNetwork>& observed,
                          const std::vector<ObservedEndpoint>& endpoints);

}  // namespace stack::scheduler
