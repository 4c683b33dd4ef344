#include "util/detached.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/fd.hpp"

extern char** environ;

namespace stack::util {
namespace {

// posix_spawn's attributes and file actions, destroyed on every path.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

Result<void> spawn_detached(const std::vector<std::string>& args, int keep_fd) {
  if (args.empty()) return fail(Errc::invalid_argument, "spawn_detached: no program");
  STACK_ASSIGN_OR_RETURN(UniqueFd devnull, UniqueFd::open("/dev/null", O_RDWR));
  // dup2(3, 3) would leave close-on-exec set: move a descriptor that is already 3 out of the way.
  UniqueFd moved;
  if (keep_fd >= 0 && keep_fd <= 3) {
    moved = UniqueFd(::fcntl(keep_fd, F_DUPFD_CLOEXEC, 10));
    if (!moved) return Error::from_errno("fcntl F_DUPFD_CLOEXEC");
    keep_fd = moved.get();
  }
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);

  SpawnSetup s;
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&s.attr, &none);
  posix_spawnattr_setsigdefault(&s.attr, &all);
  posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  for (int fd = 0; fd < 3; ++fd) posix_spawn_file_actions_adddup2(&s.actions, devnull.get(), fd);
  if (keep_fd >= 0) posix_spawn_file_actions_adddup2(&s.actions, keep_fd, 3);
  posix_spawn_file_actions_addclosefrom_np(&s.actions, keep_fd >= 0 ? 4 : 3);

  pid_t pid = -1;
  if (int rc = ::posix_spawn(&pid, argv[0], &s.actions, &s.attr, argv.data(), environ); rc != 0) {
    return Error::from_errno("starting '" + args[0] + "'", rc);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return fail(Errc::internal, "starting '" + args[0] + "' detached failed (" +
                                    (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                                       : "signal " + std::to_string(WTERMSIG(status))) + ")");
  }
  return ok();
}

Result<void> finish_detach() {
  const pid_t pid = ::fork();
  if (pid < 0) return Error::from_errno("fork");
  if (pid > 0) ::_exit(0);
  return ok();
}

}  // namespace stack::util
