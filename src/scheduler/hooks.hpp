// post_start and pre_stop (spec::LifecycleHook), as compose runs them: in the running container,
// like `stack exec`, with the container's environment, user, working directory, groups and
// security, the hook's own settings on top (privileged: every capability, no seccomp filter). The
// output goes to a memory file; a hook that exits non-zero is an error naming its key and quoting
// the last line it printed. The shim runs none: a restart by the restart policy runs no hook.
#pragma once

#include <string>
#include <vector>

#include "runtime/runtime.hpp"
#include "spec/model.hpp"
#include "util/result.hpp"

namespace stack::scheduler {

// The exec a hook is, from the container's configuration.
runtime::ExecConfig hook_exec(const runtime::ContainerConfig& container, const spec::LifecycleHook& hook);

// Runs hooks in order in container; the first failure stops them. kind is "post_start" or
// "pre_stop"; errors read "services.web.post_start[0]: exited with code 3: <last line>".
util::Result<void> run_hooks(runtime::Runtime& runtime, const std::string& container, const std::string& service,
                             const char* kind, const std::vector<spec::LifecycleHook>& hooks);

}  // namespace stack::scheduler
