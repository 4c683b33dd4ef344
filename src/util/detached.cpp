#include "util/detached.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "util/fd.hpp"

extern char** environ;

namespace stack::util {
namespace {

// Everything the two children read; prepared by the caller, as they may not allocate.
struct Launch {
  char** argv = nullptr;
  int devnull = -1;
  int keep_fd = -1;   // becomes fd 3; -1: none
  int error_fd = -1;  // close-on-exec pipe: the helper's errno when it cannot exec
  char* helper_stack = nullptr;
};

constexpr size_t kChildStack = 64 * 1024;

// The helper's descriptors and signals as a fresh process has them; false (errno set) on failure.
bool prepare_helper(const Launch& l) {
  // Handlers were copied from the caller (no CLONE_SIGHAND): reset them before anything unblocks.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) (void)::sigaction(sig, &dfl, nullptr);
  for (int fd = 0; fd < 3; ++fd) {
    if (::dup2(l.devnull, fd) < 0) return false;
  }
  if (l.keep_fd >= 0 && ::dup2(l.keep_fd, 3) < 0) return false;
  if (::syscall(SYS_close_range, l.keep_fd >= 0 ? 4 : 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) return false;
  sigset_t none;
  sigemptyset(&none);
  return ::sigprocmask(SIG_SETMASK, &none, nullptr) == 0;
}

// The helper, in the caller's memory until it execs (the intermediate waits for that).
int helper_main(void* arg) {
  const auto* l = static_cast<const Launch*>(arg);
  if (prepare_helper(*l)) ::execve(l->argv[0], l->argv, environ);
  int err = errno;
  if (::write(l->error_fd, &err, sizeof err) < 0) {}
  ::_exit(127);
}

// The caller's child: a new session, then the helper, then gone, so that the helper is
// reparented and never waited on by the caller.
int intermediate_main(void* arg) {
  auto* l = static_cast<Launch*>(arg);
  if (::setsid() < 0) ::_exit(1);
  pid_t helper = ::clone(helper_main, l->helper_stack + kChildStack, CLONE_VM | CLONE_VFORK | SIGCHLD, l);
  ::_exit(helper < 0 ? 1 : 0);
}

// Two stacks for the children, unmapped on every path.
struct ChildStacks {
  void* base = MAP_FAILED;
  ChildStacks() { base = ::mmap(nullptr, 2 * kChildStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0); }
  ~ChildStacks() {
    if (base != MAP_FAILED) ::munmap(base, 2 * kChildStack);
  }
  ChildStacks(const ChildStacks&) = delete;
  ChildStacks& operator=(const ChildStacks&) = delete;
  char* at(int i) const { return static_cast<char*>(base) + i * kChildStack; }
};

}  // namespace

std::string helper_binary(const std::string& stack_binary, const std::string& name) {
  char resolved[PATH_MAX];
  if (::realpath(stack_binary.c_str(), resolved) == nullptr) return stack_binary;
  std::string path = resolved;
  std::string helper = path.substr(0, path.rfind('/') + 1) + name;
  return ::access(helper.c_str(), X_OK) == 0 ? helper : stack_binary;
}

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
  STACK_ASSIGN_OR_RETURN(Pipe errors, Pipe::make(O_CLOEXEC));
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  ChildStacks stacks;
  if (stacks.base == MAP_FAILED) return Error::from_errno("mmap");

  Launch l;
  l.argv = argv.data();
  l.devnull = devnull.get();
  l.keep_fd = keep_fd;
  l.error_fd = errors.write.get();
  l.helper_stack = stacks.at(1);
  // No handler of the caller may run on the children's stacks; the helper resets them first.
  sigset_t all;
  sigset_t caller_mask;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &caller_mask);
  // Both children share the caller's memory (vfork semantics: no page tables copied, which is
  // what a fork of this large, threaded process or of the helper itself cost); this thread
  // resumes once the intermediate has exited, which is after the helper's exec.
  pid_t pid = ::clone(intermediate_main, stacks.at(0) + kChildStack, CLONE_VM | CLONE_VFORK | SIGCHLD, &l);
  int clone_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &caller_mask, nullptr);
  if (pid < 0) return Error::from_errno("starting '" + args[0] + "'", clone_errno);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  errors.write.reset();
  int exec_errno = 0;
  if (::read(errors.read.get(), &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
    return Error::from_errno("starting '" + args[0] + "'", exec_errno);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return fail(Errc::internal, "starting '" + args[0] + "' detached failed (" +
                                    (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                                       : "signal " + std::to_string(WTERMSIG(status))) + ")");
  }
  return ok();
}

}  // namespace stack::util
