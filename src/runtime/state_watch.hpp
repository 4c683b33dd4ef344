// StateWatch: how a waiter learns that a container changed, without polling. The shim replaces
// state.json at every transition (started, exited, restarting, health) and appends to the log;
// a shim that dies writes nothing, so its process is watched too (ShimRuntime: inotify on the
// container's directory and a pidfd of its shim; a fake runtime wakes its waiters itself).
//
//   auto watch = runtime.watch({});
//   for (;;) {
//     read the states; watch->add(id, state) for each; done? break;
//     watch->wait(timeout);
//   }
//
// Nothing is lost between the read and the wait: events queue from add() on, and a first add()
// (or a new shim) counts as a change, so the state read before it is read once more.
#pragma once

#include <chrono>
#include <string>

#include "runtime/shim/container_state.hpp"
#include "util/result.hpp"

namespace stack::runtime {

struct WatchOptions {
  bool logs = false;            // a write to a container's log counts as a change
  bool new_containers = false;  // so does a container created on the host
};

class StateWatch {
 public:
  virtual ~StateWatch() = default;
  // Watches container id, whose state was just read as seen (its shim's pid is taken from it).
  // Idempotent; a container seen with another shim than before is watched anew.
  virtual util::Result<void> add(const std::string& id, const shim::ContainerState& seen) = 0;
  // Blocks until a watched container changed since the last wait, or for timeout; true when one
  // did. A signal delivered meanwhile also returns true, so that callers check their flags.
  virtual util::Result<bool> wait(std::chrono::milliseconds timeout) = 0;
  // Stops watching, ahead of the destructor, once the caller has what it waited for. The kernel
  // frees inotify watches after a grace period (about 12 ms here), which closing the descriptor
  // waits for; stopped early, that wait runs beside the caller's next work (a `run --rm` removing
  // its container). wait() afterwards only times out.
  virtual void stop() {}
};

}  // namespace stack::runtime
