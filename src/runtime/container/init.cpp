// init: true. A minimal init as PID 1, in the container process itself.
//
// PID 1 of a PID namespace inherits every orphan and gets no default signal actions, so a program
// not written to be init leaves zombies and ignores SIGTERM. Docker solves this by bind-mounting
// tini into the container; we cannot re-exec our own binary (it is not inside the new root after
// pivot_root, and exec'ing a host file into the container would need a mount of it). So the child
// starts the command with vfork right before exec, and stays PID 1 with the container's
// capabilities and seccomp filter already applied.
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

Result<void> become_init(int error_fd, const PreparedExec& command) {
  // Blocked signals are queued even for PID 1, where unhandled ones would be dropped.
  sigset_t all;
  ::sigfillset(&all);
  if (::sigprocmask(SIG_BLOCK, &all, nullptr) < 0) return Error::from_errno("block signals");
  // vfork: this process is suspended until the child's exec, and the child touches nothing of
  // the shared memory but exec_errno (the pages a fork would copy on write are never copied).
  volatile int exec_errno = 0;
  pid_t pid = ::vfork();
  if (pid < 0) return Error::from_errno("fork init");
  if (pid == 0) {
    exec_errno = exec_prepared(command);  // resets the mask and the dispositions first
    ::_exit(127);
  }
  if (exec_errno != 0) {
    (void)::waitpid(pid, nullptr, 0);
    return exec_error(command, exec_errno);
  }
  // The command's copy of the error pipe closed at its exec; init's must not keep the parent
  // waiting for end of file, nor may init hold the caller's stdout beyond the command.
  ::close(error_fd);
  (void)sys::close_from(3);
  init_loop(pid, all);
}

}  // namespace stack::runtime
