// ShimRuntime: the Runtime that starts one detached `stack shim` per container and talks to it
// through the state directory (config.json in, state.json out) and the control socket.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>

#include "runtime/runtime.hpp"
#include "runtime/state_paths.hpp"
#include "util/fd.hpp"

namespace stack::runtime {

struct ShimRuntimeOptions {
  std::string root;                         // the state root
  std::string binary = "/proc/self/exe";    // the `stack` executable (tests: STACK_BINARY)
  // The shim's executable; empty: `stack-shim` next to binary if there is one, else binary itself
  // (its hidden `stack shim` verb). Both take the same arguments.
  std::string shim_binary;
  std::chrono::seconds start_timeout{90};   // for the shim to report the first start
};

class ShimRuntime final : public Runtime {
 public:
  explicit ShimRuntime(ShimRuntimeOptions options);

  Result<void> create(const std::string& id, const shim::ShimConfig& config) override;
  Result<void> start(const std::string& id) override;
  Result<std::optional<shim::ContainerState>> state(const std::string& id) override;
  Result<void> stop(const std::string& id, std::optional<std::chrono::nanoseconds> timeout) override;
  Result<void> kill(const std::string& id, int signal) override;
  Result<bool> remove(const std::string& id) override;
  Result<std::vector<std::string>> list() override;
  Result<shim::ShimConfig> config(const std::string& id) override { return read_config(id); }
  Result<shim::ContainerState> recover(const std::string& id) override;
  Result<int> exec(const std::string& id, const ExecConfig& config) override;
  Result<TerminalProcess> exec_terminal(const std::string& id, const ExecConfig& config) override;
  Result<ContainerStats> stats(const std::string& id) override;
  Result<std::vector<ProcessInfo>> top(const std::string& id) override;
  Result<std::unique_ptr<StateWatch>> watch(WatchOptions options) override;

  const StatePaths& paths() const { return paths_; }

 private:
  Result<shim::ShimConfig> read_config(const std::string& id) const;
  // state.json with shim_alive filled in; a missing file (the shim has not written yet) is created.
  Result<shim::ContainerState> observe(const std::string& id) const;
  // Launches the shim for a container whose config.json is written and waits for its first start.
  Result<void> launch_and_wait(const std::string& id);
  Result<void> wait_for_shim_exit(pid_t shim_pid, std::chrono::nanoseconds limit) const;
  // A container whose shim is alive and has not finished: its state, config and cgroup.
  struct Supervised;
  Result<Supervised> supervised(const std::string& id);
  // The pid of PID 1 to exec into: Errc::conflict unless running (not between restarts).
  Result<pid_t> exec_target(const std::string& id, const Supervised& c) const;

  ShimRuntimeOptions options_;  // shim_binary resolved
  StatePaths paths_;
};

// True if pid is a live (not zombie) `stack shim` for this id: a recycled pid is not taken for it.
// With the shim's start time (state.json) one read of /proc/<pid>/stat proves it; without (a state
// written by an older shim), its command line is checked.
bool shim_alive(pid_t pid, const std::string& id, std::uint64_t start_ticks = 0);

// `stack-shim` in the directory of stack_binary (symlinks and /proc/self/exe resolved) if it is
// executable there, else stack_binary.
std::string find_shim_binary(const std::string& stack_binary);

// Starts the shim executable (stack-shim or stack) detached: fork, setsid, fork; stdio on /dev/null;
// no other descriptors but the ready pipe. Returns the read end of the ready pipe: end of file once
// the first start is done.
Result<util::UniqueFd> launch_shim(const std::string& binary, const std::string& root,
                                   const std::string& id);

}  // namespace stack::runtime
