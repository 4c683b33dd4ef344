#include "util/detached.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/fd.hpp"

extern char** environ;

namespace stack::util {
namespace {

// The child half: only async-signal-safe calls.
[[noreturn]] void exec_detached(const char* binary, char* const* argv, int devnull, int keep) {
  if (::setsid() < 0) ::_exit(1);
  const pid_t pid = ::fork();
  if (pid != 0) ::_exit(pid < 0 ? 1 : 0);
  for (int fd = 0; fd < 3; ++fd) ::dup2(devnull, fd);
  if (keep == 3) {
    ::fcntl(3, F_SETFD, 0);
  } else if (keep >= 0 && ::dup2(keep, 3) < 0) {
    ::_exit(1);
  }
  ::syscall(SYS_close_range, keep >= 0 ? 4u : 3u, ~0u, 0u);
  ::execve(binary, argv, environ);
  ::_exit(127);
}

}  // namespace

Result<void> spawn_detached(const std::vector<std::string>& args, int keep_fd) {
  if (args.empty()) return fail(Errc::invalid_argument, "spawn_detached: no program");
  STACK_ASSIGN_OR_RETURN(UniqueFd devnull, UniqueFd::open("/dev/null", O_RDWR));
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return Error::from_errno("fork");
  if (pid == 0) exec_detached(argv[0], argv.data(), devnull.get(), keep_fd);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return fail(Errc::internal, "starting '" + args[0] + "' detached failed");
  }
  return ok();
}

}  // namespace stack::util
