#include "util/child_process.hpp"

#include <sys/wait.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace stack::util {

ExitStatus ExitStatus::from_wait_status(int status) {
  if (WIFSIGNALED(status)) return ExitStatus{0, WTERMSIG(status)};
  return ExitStatus{WEXITSTATUS(status), 0};
}

std::string ExitStatus::describe() const {
  if (signal == 0) return "exit code " + std::to_string(code);
  return "killed by signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
}

ChildProcess::~ChildProcess() { kill_and_reap(); }

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), status_(other.status_) {
  other.pid_ = -1;
  other.status_.reset();
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = other.pid_;
    status_ = other.status_;
    other.pid_ = -1;
    other.status_.reset();
  }
  return *this;
}

Result<void> ChildProcess::kill(int sig) const {
  if (pid_ <= 0) return Error(Errc::invalid_argument, "no process");
  if (status_) return Error(Errc::conflict, "process " + std::to_string(pid_) + " has exited");
  if (::kill(pid_, sig) < 0) return Error::from_errno("kill " + std::to_string(pid_));
  return ok();
}

Result<ExitStatus> ChildProcess::wait() {
  if (pid_ <= 0) return Error(Errc::invalid_argument, "no process");
  if (status_) return *status_;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return Error::from_errno("waitpid " + std::to_string(pid_));
  status_ = ExitStatus::from_wait_status(status);
  return *status_;
}

Result<std::optional<ExitStatus>> ChildProcess::try_wait() {
  if (pid_ <= 0) return Error(Errc::invalid_argument, "no process");
  if (status_) return status_;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return Error::from_errno("waitpid " + std::to_string(pid_));
  if (r == 0) return std::optional<ExitStatus>();
  status_ = ExitStatus::from_wait_status(status);
  return status_;
}

pid_t ChildProcess::release() {
  pid_t pid = pid_;
  pid_ = -1;
  status_.reset();
  return pid;
}

void ChildProcess::kill_and_reap() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    int status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
  status_.reset();
}

}  // namespace stack::util
