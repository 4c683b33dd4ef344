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
// whatever the shim or the CLI had (a signalfd user blocks SIGTERM, for one). System calls only:
// this runs in a vfork child.
void reset_signals() {
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    ::signal(sig, SIG_DFL);  // fails harmlessly for the signals glibc reserves
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace

PreparedExec prepare_exec(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  PreparedExec p;
  p.name = args.empty() ? "" : args[0];
  if (p.name.find('/') != std::string::npos) {
    p.candidates.push_back(p.name);
  } else if (!p.name.empty()) {
    std::string path = path_of(env);
    std::size_t start = 0;
    while (start <= path.size()) {
      std::size_t end = path.find(':', start);
      if (end == std::string::npos) end = path.size();
      std::string dir = path.substr(start, end - start);
      start = end + 1;
      p.candidates.push_back((dir.empty() ? "." : dir) + "/" + p.name);
    }
  }
  for (const auto& a : args) p.argv.push_back(const_cast<char*>(a.c_str()));
  for (const auto& e : env) p.envp.push_back(const_cast<char*>(e.c_str()));
  p.argv.push_back(nullptr);
  p.envp.push_back(nullptr);
  return p;
}

int exec_prepared(const PreparedExec& p) {
  if (p.candidates.empty()) return EINVAL;
  reset_signals();
  bool denied = false;
  for (const std::string& candidate : p.candidates) {
    ::execve(candidate.c_str(), p.argv.data(), p.envp.data());
    int err = errno;
    if (p.candidates.size() == 1 && p.name.find('/') != std::string::npos) return err;
    if (err == EACCES) {
      denied = true;
    } else if (!try_next(err)) {
      return err;
    }
  }
  return denied ? EACCES : ENOENT;
}

Error exec_error(const PreparedExec& p, int err) {
  if (p.name.empty()) return Error(Errc::invalid_argument, "exec: no command");
  bool searched = p.name.find('/') == std::string::npos;
  if (searched && err == ENOENT) {
    return Error(Errc::not_found, "exec \"" + p.name + "\": executable file not found in $PATH", ENOENT);
  }
  return Error::from_errno("exec \"" + p.name + "\"", err);
}

Result<void> exec_command(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  PreparedExec p = prepare_exec(args, env);
  return exec_error(p, exec_prepared(p));
}

Result<void> step_exec(ChildContext& ctx) {
  if (!ctx.config.init) return exec_command(ctx.config.args, ctx.config.env);
  PreparedExec command = prepare_exec(ctx.config.args, ctx.config.env);
  return become_init(ctx.error_fd, command);
}

}  // namespace stack::runtime
