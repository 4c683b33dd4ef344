// `stack daemon`: the long-lived driver of the reconciler. Level-triggered, as Kubernetes
// controllers: events (a stack file written or removed, a shim or DNS server that died, a bridge
// or veth deleted, the periodic resync, SIGHUP) only enqueue a project's key in the work queue;
// a worker then runs one whole pass for that key through the Reconciler, which re-reads desired
// and observed state. One thread waits on every event source at once (poll over signalfd,
// inotify, netlink, pidfds and the status socket) and never blocks on a pass; at most `workers`
// passes run at a time, never two of one project.
#pragma once

#include <chrono>
#include <string>

#include "daemon/reconciler.hpp"

namespace stack::daemon {

struct DaemonOptions {
  std::string stacks_dir = "/etc/stack/stacks.d";
  std::string root;                                // the state root
  std::chrono::milliseconds resync{30000};         // every project is looked at this often
  std::chrono::milliseconds debounce{250};         // after a file event, before its pass
  int workers = 2;
};

// Runs until SIGTERM or SIGINT; returns the process exit code. Containers are left running.
int run_daemon(const DaemonOptions& options, Reconciler& reconciler);

}  // namespace stack::daemon
