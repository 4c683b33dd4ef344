// The shim: one process per container, started detached by the Runtime (`stack shim --root R
// --id ID`). It creates the cgroup, creates and starts the container (it is the parent and reaper of
// its PID 1), copies its output into the json-file log, writes state.json at every transition,
// applies the restart policy, answers the control socket, and on stop or final exit destroys the
// cgroup and exits. Everything happens in one poll loop: no threads, so that it stays small.
#pragma once

#include <string>

namespace stack::runtime::shim {

struct ShimOptions {
  std::string root;   // the state root
  std::string id;     // the container
  int ready_fd = -1;  // closed once the first start succeeded or failed (the Runtime waits on it)
};

// Runs the shim to the end; returns the process's exit code (0 unless setup failed).
int run_shim(const ShimOptions& options);

}  // namespace stack::runtime::shim
