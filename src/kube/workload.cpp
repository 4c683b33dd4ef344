// The pod in its workload: a Deployment for long-running services, a Job for the ones meant to end
// (restart no or on-failure, or awaited with service_completed_successfully).
#include "kube/context.hpp"
#include "kube/names.hpp"

namespace stack::kube {

namespace {

// The service's own labels on the pod when Kubernetes takes them as labels, else as annotations.
void add_user_labels(Context& ctx, const spec::Service& s, json& meta) {
  for (const auto& [key, value] : s.labels) {
    if (!is_qualified_name(key)) {
      ctx.warnings.add(Context::path(s, "labels." + key),
                       "dropped: not a valid Kubernetes label or annotation key");
    } else if (is_label_value(value) && !meta["labels"].contains(key)) {
      meta["labels"][key] = value;
    } else {
      meta["annotations"][key] = value;
    }
  }
}

json pod_template(Context& ctx, const spec::Service& s, json pod) {
  json meta = {{"labels", ctx.selector_labels(s)}};
  meta["labels"][kManagedByLabel] = "stack";
  for (const spec::ServiceNetwork& n : s.networks) {
    auto it = ctx.network_labels.find(n.key);
    if (it != ctx.network_labels.end()) meta["labels"][it->second] = "true";
  }
  add_user_labels(ctx, s, meta);
  return {{"metadata", std::move(meta)}, {"spec", std::move(pod)}};
}

void add_job(Context& ctx, const spec::Service& s, json pod, json meta) {
  using Kind = spec::RestartPolicy::Kind;
  json spec = json::object();
  std::string path = Context::path(s, "restart");
  switch (s.restart.kind) {
    case Kind::no:
      pod["restartPolicy"] = "Never";
      spec["backoffLimit"] = 0;
      break;
    case Kind::on_failure:
      pod["restartPolicy"] = "OnFailure";
      if (s.restart.max_retries) spec["backoffLimit"] = *s.restart.max_retries;
      else
        ctx.warnings.add(path, "on-failure without a limit approximated by a Job's default "
                               "backoffLimit (6 retries)");
      break;
    case Kind::always:
    case Kind::unless_stopped:
      pod["restartPolicy"] = "OnFailure";
      ctx.warnings.add(path, std::string(spec::to_string(s.restart.kind)) +
                                 " approximated by a Job that reruns on failure only: other "
                                 "services wait for it to complete successfully");
      break;
  }
  if (s.replicas != 1) {
    spec["completions"] = s.replicas;
    spec["parallelism"] = s.replicas;
  }
  spec["template"] = pod_template(ctx, s, std::move(pod));
  std::string name = ctx.name_of(s.name);
  ctx.add("batch/v1", "Job", name, {{"metadata", std::move(meta)}, {"spec", std::move(spec)}});
}

}  // namespace

void add_workload(Context& ctx, const spec::Service& s, json pod) {
  std::string name = ctx.name_of(s.name);
  json meta = ctx.metadata(name, &s);
  if (ctx.jobs.count(s.name) != 0) {
    add_job(ctx, s, std::move(pod), std::move(meta));
    return;
  }
  json spec = {{"replicas", s.replicas},
               {"selector", {{"matchLabels", ctx.selector_labels(s)}}}};
  // A ReadWriteOnce claim cannot be attached to the new pod while the old one holds it.
  if (ctx.claim_mounters.count(s.name) != 0) spec["strategy"] = {{"type", "Recreate"}};
  spec["template"] = pod_template(ctx, s, std::move(pod));
  ctx.add("apps/v1", "Deployment", name, {{"metadata", std::move(meta)}, {"spec", std::move(spec)}});
}

}  // namespace stack::kube
