// The seam between the daemon (when to reconcile which project) and the reconciler (how): the
// daemon holds no reconcile logic. The CLI gives the real one, over scheduler::Engine; the
// daemon's tests give a fake that records the passes.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "daemon/stacks_dir.hpp"
#include "util/result.hpp"

namespace stack::daemon {

// What the daemon watches for a project after a pass, to requeue it when one of them goes away.
struct Watched {
  std::vector<pid_t> pids;           // shims and DNS servers
  std::vector<std::string> links;    // bridges and host veths
};

struct PassOutcome {
  std::string project;  // the project name the file gave
  int running = 0;
  int total = 0;
  Watched watched;
};

enum class PassMode {
  resync,  // containers that ended follow their restart policy (plan.hpp's leave_exited)
  boot,    // the first pass after a boot: everything comes up as `up -d` brings it up
};

class Reconciler {
 public:
  virtual ~Reconciler() = default;
  // One pass of `up -d` over the project of source. A stack file that does not load fails with
  // Errc::invalid_argument and every diagnostic (file:line:col) in the message, having changed
  // nothing.
  virtual util::Result<PassOutcome> apply(const StackSource& source, PassMode mode) = 0;
  // `down` of a project whose file was removed (named volumes kept).
  virtual util::Result<void> remove(const std::string& project) = 0;
};

}  // namespace stack::daemon
