// init: true. A minimal init as PID 1, in the container process itself.
//
// PID 1 of a PID namespace inherits every orphan and gets no default signal actions, so a program
// not written to be init leaves zombies and ignores SIGTERM. Docker solves this by bind-mounting
// tini into the container; we cannot re-exec our own binary (it is not inside the new root after
// pivot_root, and exec'ing a host file into the container would need a mount of it). So the child
// forks right before exec: the forked process execs the command, and this one stays PID 1 with
// the container's capabilities and seccomp filter already applied.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/container/steps.hpp"
#include "runtime/sys/process.hpp"

namespace stack::runtime {

using util::Error;

namespace {

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  // PID 1 cannot kill itself with the same signal (it would be ignored): use the shell's 128+n.
  return 128 + WTERMSIG(status);
}

// Reaps every child that has ended; true once the command itself has.
bool reap(pid_t command, int* command_status) {
  bool done = false;
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return done;  // 0: others still run; ECHILD: none left
    if (pid == command) {
      *command_status = status;
      done = true;
    }
  }
}

[[noreturn]] void init_loop(pid_t command, const sigset_t& all) {
  int command_status = 0;
  for (;;) {
    siginfo_t info{};
    int sig = ::sigwaitinfo(&all, &info);
    if (sig < 0) continue;  // EINTR
    if (sig == SIGCHLD) {
      if (reap(command, &command_status)) ::_exit(exit_code_of(command_status));
      continue;
    }
    // Everything else is for the command (SIGTERM from `stop`, SIGINT, SIGHUP, SIGUSR1, ...).
    ::kill(command, sig);
  }
}

}  // namespace

Result<void> become_init(int error_fd) {
  // Blocked signals are queued even for PID 1, where unhandled ones would be dropped.
  sigset_t all, old;
  ::sigfillset(&all);
  if (::sigprocmask(SIG_BLOCK, &all, &old) < 0) return Error::from_errno("block signals");
  pid_t pid = ::fork();
  if (pid < 0) return Error::from_errno("fork init");
  if (pid == 0) {
    if (::sigprocmask(SIG_SETMASK, &old, nullptr) < 0) return Error::from_errno("restore signals");
    return util::ok();  // the caller execs the command
  }
  // The command holds the error pipe until its exec; init's copy must not keep it open (the
  // parent waits for end of file), nor may init hold the caller's stdout beyond the command.
  ::close(error_fd);
  (void)sys::close_from(3);
  init_loop(pid, all);
}

}  // namespace stack::runtime
