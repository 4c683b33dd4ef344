#include "cli/service_container.hpp"

namespace stack::cli {

util::Result<scheduler::ContainerView> service_container(ProjectContext& ctx, const std::string& service,
                                                         int index) {
  STACK_ASSIGN_OR_RETURN(auto containers, ctx.engine().containers(ctx.project()));
  for (auto& c : containers) {
    if (c.service == service && c.number == index && !c.one_off) return std::move(c);
  }
  if (ctx.stack() && !ctx.stack()->find_service(service)) {
    return util::Error(util::Errc::not_found, "no such service: " + service);
  }
  return util::Error(util::Errc::not_found, "service " + service + " has no container #" + std::to_string(index));
}

}  // namespace stack::cli
