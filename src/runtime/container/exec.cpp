// The last step: find the executable through the container's PATH (never the caller's) and exec.
#include <csignal>
#include <cerrno>

#include "runtime/container/steps.hpp"
#include "runtime/sys/process.hpp"

namespace stack::runtime {

using util::Errc;
using util::Error;

namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string path_of(const std::vector<std::string>& env) {
  for (const auto& e : env) {
    if (e.rfind("PATH=", 0) == 0) return e.substr(5);
  }
  return kDefaultPath;
}

// Errors that mean "not in this directory, try the next one" (as execvp treats them).
bool try_next(int err) {
  return err == ENOENT || err == ENOTDIR || err == ELOOP || err == ENAMETOOLONG || err == ESTALE ||
         err == ENODEV || err == ETIMEDOUT;
}

// A blocked mask and ignored signals survive execve: the program must start with the defaults,
// whatever the shim or the CLI had (a signalfd user blocks SIGTERM, for one).
Result<void> reset_signals() {
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    ::signal(sig, SIG_DFL);  // fails harmlessly for the signals glibc reserves
  }
  sigset_t none;
  sigemptyset(&none);
  if (::sigprocmask(SIG_SETMASK, &none, nullptr) < 0) return Error::from_errno("reset signal mask");
  return {};
}

}  // namespace

Result<void> exec_command(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  if (args.empty()) return Error(Errc::invalid_argument, "exec: no command");
  STACK_TRY(reset_signals());
  const std::string& name = args[0];
  if (name.find('/') != std::string::npos) return sys::execve(name, args, env);
  std::string path = path_of(env);
  bool denied = false;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    start = end + 1;
    auto r = sys::execve((dir.empty() ? "." : dir) + "/" + name, args, env);
    int err = r.error().sys_errno();
    if (err == EACCES) {
      denied = true;
    } else if (!try_next(err)) {
      return Error::from_errno("exec \"" + name + "\"", err);
    }
  }
  if (denied) return Error::from_errno("exec \"" + name + "\"", EACCES);
  return Error(Errc::not_found, "exec \"" + name + "\": executable file not found in $PATH", ENOENT);
}

Result<void> step_exec(ChildContext& ctx) {
  if (ctx.config.init) STACK_TRY(become_init(ctx.error_fd));
  return exec_command(ctx.config.args, ctx.config.env);
}

}  // namespace stack::runtime
