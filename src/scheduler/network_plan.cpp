#include "scheduler/network_plan.hpp"

#include <algorithm>

namespace stack::scheduler {

NetworkPlan plan_networks(const std::vector<DesiredNetwork>& desired, const std::vector<ObservedNetwork>& observed,
                          const std::vector<ObservedEndpoint>& endpoints) {
  NetworkPlan plan;
  for (const DesiredNetwork& d : desired) {
    if (d.external) continue;
    auto seen = std::find_if(observed.begin(), observed.end(), [&](const ObservedNetwork& o) { return o.name == d.name; });
    ObservedNetwork o = seen != observed.end() ? *seen : ObservedNetwork{d.name};
    NetworkStep step{d.name};
    std::vector<std::string> reasons;
    if (!o.recorded) {
      step.make_bridge = step.apply_firewall = step.start_dns = true;
      reasons.push_back("new");
    } else {
      if (!o.bridge) {
        step.make_bridge = true;
        reasons.push_back("bridge deleted");
      }
      if (!o.firewall) {
        step.apply_firewall = true;
        reasons.push_back("firewall table missing or changed");
      }
      if (!o.dns) {
        step.start_dns = true;
        reasons.push_back("DNS server not running");
      }
    }
    bool veth_gone = false;
    for (const ObservedEndpoint& e : endpoints) {
      if (e.network != d.name) continue;
      // A bridge made again has no ports: every endpoint goes back on it.
      if (step.make_bridge || !e.attached) step.reattach.push_back(e.container);
      veth_gone = veth_gone || (!e.attached && !step.make_bridge);
    }
    if (veth_gone) reasons.push_back("veth deleted");
    std::sort(step.reattach.begin(), step.reattach.end());
    if (reasons.empty()) continue;
    for (size_t i = 0; i < reasons.size(); ++i) step.reason += (i ? ", " : "") + reasons[i];
    plan.steps.push_back(std::move(step));
  }
  return plan;
}

}  // namespace stack::scheduler
