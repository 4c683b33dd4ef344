// `stack exec -it`: a process in a container with a terminal, relayed to the caller's own. The
// caller's terminal goes to raw mode for the time of the relay (restored after, whatever happens);
// its window size is copied to the container's terminal at the start and on every SIGWINCH, so that
// full-screen programs and `stty size` see the caller's size; keys reach the process unchanged
// (^C is a byte that the container's terminal turns into SIGINT for its foreground job).
#pragma once

#include <unistd.h>

#include <string>

#include "runtime/container/exec.hpp"
#include "runtime/runtime.hpp"

namespace stack::runtime {

// Copies in -> master and master -> out until the process has exited and its output is drained;
// returns its exit code (128 + signal when killed). in may be a terminal (raw mode, window size) or
// not (a pipe: at its end of file the terminal's EOF character is sent, as a user's ^D would be).
// Installs a SIGWINCH handler for its duration, so one relay at a time per process.
Result<int> relay_terminal(TerminalProcess& process, int in_fd, int out_fd);

// runtime.exec_terminal(id, config with tty set) and then relay_terminal on in_fd/out_fd.
Result<int> exec_interactive(Runtime& runtime, const std::string& id, ExecConfig config,
                             int in_fd = STDIN_FILENO, int out_fd = STDOUT_FILENO);

}  // namespace stack::runtime
