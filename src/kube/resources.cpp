// deploy.resources, mem_limit, cpus, ... -> resources.limits and requests; the limits Kubernetes
// has no field for are warned about.
#include "kube/context.hpp"
#include "kube/quantity.hpp"

namespace stack::kube {

namespace {

void warn_blkio(Context& ctx, const spec::Service& s) {
  const spec::Blkio& b = s.resources.blkio;
  if (b.weight || !b.weight_device.empty() || !b.device_read_bps.empty() ||
      !b.device_write_bps.empty() || !b.device_read_iops.empty() || !b.device_write_iops.empty())
    ctx.warnings.add(Context::path(s, "blkio_config"),
                     "dropped: Kubernetes has no per-container block I/O limits");
}

void warn_unmapped(Context& ctx, const spec::Service& s) {
  const spec::Resources& r = s.resources;
  if (r.memswap)
    ctx.warnings.add(Context::path(s, "memswap_limit"),
                     "dropped: swap is configured per node in Kubernetes");
  if (r.pids)
    ctx.warnings.add(Context::path(s, "pids_limit"),
                     "dropped: the pids limit is the kubelet's (podPidsLimit), per node");
  if (r.cpuset)
    ctx.warnings.add(Context::path(s, "cpuset"),
                     "dropped: CPU pinning is the kubelet's CPU manager policy, per node");
  if (!s.ulimits.empty())
    ctx.warnings.add(Context::path(s, "ulimits"),
                     "dropped: Kubernetes has no per-container rlimits (the node's apply)");
  warn_blkio(ctx, s);
}

}  // namespace

void add_resources(Context& ctx, const spec::Service& s, json& container) {
  const spec::Resources& r = s.resources;
  json limits = json::object(), requests = json::object();
  if (r.cpus) {
    limits["cpu"] = cpu_quantity(*r.cpus);
  } else if (r.cpu_quota && r.cpu_period && *r.cpu_period > 0 && *r.cpu_quota > 0) {
    // The same CFS quota Kubernetes writes for a CPU limit.
    limits["cpu"] = cpu_quantity(static_cast<double>(*r.cpu_quota) / static_cast<double>(*r.cpu_period));
  } else if (r.cpu_quota) {
    ctx.warnings.add(Context::path(s, "cpu_quota"),
                     "dropped: without cpu_period the quota is no CPU count Kubernetes can take");
  }
  if (r.memory) limits["memory"] = memory_quantity(*r.memory);
  if (r.reservation_cpus) {
    requests["cpu"] = cpu_quantity(*r.reservation_cpus);
  } else if (r.cpu_shares) {
    // Kubernetes sets shares = millicores * 1024 / 1000: the inverse keeps the relative weight.
    requests["cpu"] = cpu_quantity(static_cast<double>(*r.cpu_shares) / 1024.0);
    ctx.warnings.add(Context::path(s, "cpu_shares"),
                     "approximated by requests.cpu " + requests["cpu"].get<std::string>() +
                         ": a request also reserves that CPU on the node");
  }
  if (r.cpu_shares && r.reservation_cpus)
    ctx.warnings.add(Context::path(s, "cpu_shares"),
                     "dropped: the CPU reservation already sets requests.cpu");
  if ((r.cpu_quota || r.cpu_period) && r.cpus)
    ctx.warnings.add(Context::path(s, r.cpu_quota ? "cpu_quota" : "cpu_period"),
                     "dropped: cpus already sets limits.cpu");
  if (r.memory_reservation) {
    if (r.memory && *r.memory_reservation > *r.memory)
      ctx.warnings.add(Context::path(s, "mem_reservation"),
                       "dropped: above the memory limit, which Kubernetes refuses");
    else
      requests["memory"] = memory_quantity(*r.memory_reservation);
  }
  json res = json::object();
  if (!limits.empty()) res["limits"] = std::move(limits);
  if (!requests.empty()) res["requests"] = std::move(requests);
  if (!res.empty()) container["resources"] = std::move(res);
  warn_unmapped(ctx, s);
}

}  // namespace stack::kube
