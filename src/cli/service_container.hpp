// The container a verb like exec or port acts on: replica --index (default 1) of a service.
#pragma once

#include <string>

#include "cli/project_context.hpp"

namespace stack::cli {

util::Result<scheduler::ContainerView> service_container(ProjectContext& ctx, const std::string& service,
                                                         int index);

}  // namespace stack::cli
