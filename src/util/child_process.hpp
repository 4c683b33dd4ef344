// ChildProcess owns a child pid until it is reaped: dropping it kills (SIGKILL) and reaps, so an
// early return never leaves a process behind (crun's child guard). ExitStatus is the decoded wait
// status: a code when the process exited, a signal when it was killed.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "util/result.hpp"

namespace stack::util {

struct ExitStatus {
  int code = 0;    // exit code when signal == 0
  int signal = 0;  // the terminating signal, 0 when the process exited

  static ExitStatus from_wait_status(int status);
  bool success() const { return signal == 0 && code == 0; }
  // "exit code 3" or "killed by signal 9 (Killed)".
  std::string describe() const;
  bool operator==(const ExitStatus&) const = default;
};

class ChildProcess {
 public:
  ChildProcess() = default;
  explicit ChildProcess(pid_t pid) : pid_(pid) {}  // adopts a child of this process
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool valid() const { return pid_ > 0; }
  // True once wait() or try_wait() collected the status.
  bool reaped() const { return status_.has_value(); }

  // Sends sig; refused once reaped, since the pid may belong to someone else by then.
  Result<void> kill(int sig) const;
  // Blocks until the child ends; returns the cached status if it already did.
  Result<ExitStatus> wait();
  // The status if the child has ended, nullopt while it runs.
  Result<std::optional<ExitStatus>> try_wait();
  // Gives up ownership without killing; returns the pid.
  pid_t release();

 private:
  void kill_and_reap();

  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
};

}  // namespace stack::util
