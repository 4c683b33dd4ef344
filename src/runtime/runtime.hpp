// runtime::Runtime: the seam between the scheduler and the containers on this host. The real one
// (shim_runtime.hpp) runs one `stack shim` process per container; tests of the scheduler use a fake.
//
//   create(id, config)   writes config.json, starts the shim, returns once the container runs or
//                        failed (with the one-line error, e.g. `exec "/nope": No such file or directory`)
//   state(id)            state.json, checked against the shim's liveness; nullopt when absent
//   stop / kill          over the shim's control socket
//   exec / exec_terminal a process in the running container, without or with a terminal
//   remove(id)           stop if needed, kill leftovers via the cgroup, delete everything; false when
//                        absent; idempotent
//   recover(id)          a container whose shim died is cleaned up and marked exited
//   stats(id) / top(id)  resource usage from the container's cgroup; its processes from /proc
//   watch(options)       wakes a waiter when containers change (state_watch.hpp): no polling
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/container/config.hpp"
#include "runtime/container/exec.hpp"
#include "runtime/shim/container_state.hpp"
#include "runtime/shim/shim_config.hpp"
#include "runtime/state_watch.hpp"
#include "runtime/stats.hpp"
#include "util/result.hpp"

namespace stack::runtime {

class Runtime {
 public:
  virtual ~Runtime() = default;

  virtual Result<void> create(const std::string& id, const shim::ShimConfig& config) = 0;
  // Starts a container that exists but does not run (exited, stopped, or its shim died): a new
  // shim on the same config and writable layer, as `docker start`. Running already: no error.
  virtual Result<void> start(const std::string& id) = 0;
  // A dead shim found here is recovered on the spot (see recover()).
  virtual Result<std::optional<shim::ContainerState>> state(const std::string& id) = 0;
  // Sends the stop signal, then SIGKILL after timeout (default: the config's grace period); returns
  // once the shim has written the final state and exited. A container already down is no error.
  virtual Result<void> stop(const std::string& id, std::optional<std::chrono::nanoseconds> timeout) = 0;
  // Delivers a signal to PID 1; what follows is up to the restart policy, as for any exit.
  virtual Result<void> kill(const std::string& id, int signal) = 0;
  virtual Result<bool> remove(const std::string& id) = 0;
  virtual Result<std::vector<std::string>> list() = 0;
  // The config the container was created from (labels included).
  virtual Result<shim::ShimConfig> config(const std::string& id) = 0;
  // If the shim is dead while the state says it supervises: kill the container's processes through
  // its cgroup, destroy the cgroup, mark it exited. Otherwise returns the state unchanged.
  virtual Result<shim::ContainerState> recover(const std::string& id) = 0;
  // Runs a process in the running container and returns its exit code (128 + signal if killed).
  virtual Result<int> exec(const std::string& id, const ExecConfig& config) = 0;
  // Starts a process with a terminal (config.tty; see exec_in_terminal) in the running container and
  // returns it with the terminal's master; the caller relays (interactive.hpp) and reaps it.
  virtual Result<TerminalProcess> exec_terminal(const std::string& id, const ExecConfig& config) = 0;
  // Usage of a container whose shim supervises it (running, or restarting: then net is nullopt);
  // Errc::conflict when it is not running, Errc::not_found when it does not exist.
  virtual Result<ContainerStats> stats(const std::string& id) = 0;
  // The processes in the container's cgroup, sorted by pid; the same errors as stats().
  virtual Result<std::vector<ProcessInfo>> top(const std::string& id) = 0;
  virtual Result<std::unique_ptr<StateWatch>> watch(WatchOptions options) = 0;
};

}  // namespace stack::runtime
