// The engine's side of the lifecycle hooks: when they run, and what their failure means.
#include "scheduler/engine_impl.hpp"
#include "scheduler/hooks.hpp"

namespace stack::scheduler {

util::Result<void> Engine::Impl::after_start(const spec::Service* service, const std::string& name) {
  if (service == nullptr || service->post_start.empty()) return util::ok();
  auto ran = run_hooks(runtime, name, service->name, "post_start", service->post_start);
  if (!ran) report("Container", name, "Error", true, true);
  return ran;
}

void Engine::Impl::before_stop(const spec::Service* service, const std::string& name) {
  if (service == nullptr || service->pre_stop.empty()) return;
  auto state = runtime.state(name);
  if (!state || !*state || (*state)->status != runtime::shim::Status::running) return;
  if (auto ran = run_hooks(runtime, name, service->name, "pre_stop", service->pre_stop); !ran) {
    report("Container", name, ran.error().message() + " (stopping it anyway)", true, true);
  }
}

}  // namespace stack::scheduler
