// ShimRuntime: the Runtime that starts one detached `stack shim` per container and talks to it
// through the state directory (config.json in, state.json out) and the control socket.
#pragma once

#include <sys/types.h>

#include <chrono>

#include "runtime/runtime.hpp"
#include "runtime/state_paths.hpp"
#include "util/fd.hpp"

namespace stack::runtime {

struct ShimRuntimeOptions {
  std::string root;                         // the state root
  std::string binary = "/proc/self/exe";    // the `stack` executable (tests: STACK_BINARY)
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

  const StatePaths& paths() const { return paths_; }

 private:
  Result<shim::ShimConfig> read_config(const std::string& id) const;
  // state.json with shim_alive filled in; a missing file (the shim has not written yet) is created.
  Result<shim::ContainerState> observe(const std::string& id) const;
  // Launches the shim for a container whose config.json is written and waits for its first start.
  Result<void> launch_and_wait(const std::string& id);
  Result<void> wait_for_shim_exit(pid_t shim_pid, std::chrono::nanoseconds limit) const;

  ShimRuntimeOptions options_;
  StatePaths paths_;
};

// True if pid is a live (not zombie) `stack shim` for this id: a recycled pid is not taken for it.
bool shim_alive(pid_t pid, const std::string& id);

// Starts the shim detached (fork, setsid, fork; stdio on /dev/null; no other descriptors but the
// ready pipe). Returns the read end of the ready pipe: end of file once the first start is done.
Result<util::UniqueFd> launch_shim(const std::string& binary, const std::string& root,
                                   const std::string& id);

}  // namespace stack::runtime
