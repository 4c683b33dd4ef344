#include "runtime/container/terminal.hpp"

#include <unistd.h>

#include "runtime/sys/terminal.hpp"

namespace stack::runtime {

using util::Error;

util::Result<void> attach_terminal(int socket, const ResolvedUser& user) {
  STACK_ASSIGN_OR_RETURN(sys::Pty pty, sys::open_pty());
  if (::fchown(pty.slave.get(), user.uid, static_cast<gid_t>(-1)) < 0) {
    return Error::from_errno("chown the terminal");
  }
  STACK_TRY(sys::send_fd(socket, pty.master.get()));
  pty.master.reset();
  STACK_TRY(sys::make_controlling_terminal(pty.slave.get()));
  for (int fd = 0; fd < 3; ++fd) {
    if (::dup2(pty.slave.get(), fd) < 0) return Error::from_errno("dup2 the terminal");
  }
  return util::ok();
}

}  // namespace stack::runtime
