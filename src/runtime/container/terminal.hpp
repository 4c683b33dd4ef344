// A process's terminal inside its container: a new pty from the container's own /dev/ptmx (so
// that the slave is /dev/pts/N there), the slave as its controlling terminal and stdio, the master
// sent to the caller over a socket. For `exec -it` and for a container's PID 1 with tty.
#pragma once

#include "runtime/container/user.hpp"
#include "util/result.hpp"

namespace stack::runtime {

// Owned by the user, as login does. Needs root (chown) and a process that is not a session leader.
util::Result<void> attach_terminal(int socket, const ResolvedUser& user);

}  // namespace stack::runtime
