// Who the process runs as and what it may do: user and groups from the container's own files,
// the bounding set, the capability sets, no_new_privs and the seccomp filter.
#include "runtime/container/steps.hpp"
#include "runtime/container/terminal.hpp"
#include "runtime/security/capabilities.hpp"
#include "runtime/security/seccomp.hpp"
#include "runtime/sys/process.hpp"

namespace stack::runtime {

using util::Error;

Result<void> step_resolve_user(ChildContext& ctx) {
  // After pivot_root: "/" is the container's root, so /etc/passwd is the image's.
  STACK_ASSIGN_OR_RETURN(ctx.user, resolve_user_in_root(ctx.config.user, "/", ctx.config.additional_groups));
  add_home(ctx.config.env, ctx.user);
  STACK_ASSIGN_OR_RETURN(ctx.caps, security::compute_capabilities(ctx.config.security.capabilities));
  return util::ok();
}

// Before the user switch: chown of the terminal needs root. The master goes over the sync socket,
// which the parent reads for it before the ready message.
Result<void> step_terminal(ChildContext& ctx) { return attach_terminal(ctx.sync_fd, ctx.user); }

Result<void> step_bounding_set(ChildContext& ctx) { return security::drop_bounding(ctx.caps); }

Result<void> step_switch_user(ChildContext& ctx) { return switch_user(ctx.user); }

Result<void> step_capabilities(ChildContext& ctx) { return security::apply_capabilities(ctx.caps); }

Result<void> step_chdir(ChildContext& ctx) {
  // As the user: a directory the user cannot enter fails here, not in the program.
  return sys::chdir(ctx.config.cwd);
}

Result<void> step_no_new_privs(ChildContext&) { return sys::set_no_new_privs(); }

Result<void> step_seccomp(ChildContext& ctx) {
  if (!ctx.seccomp_program.empty() && ctx.config.security.seccomp_program_caps == ctx.caps) {
    return security::load_compiled_profile(ctx.seccomp_program);
  }
  return security::load_default_profile(ctx.caps);
}

}  // namespace stack::runtime
