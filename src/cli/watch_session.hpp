// The work of `stack watch` and `stack up --watch`: the develop.watch rules of the selected
// services, inotify on their paths, and each batch of changes applied (scheduler/watch_rules.hpp
// decides what a batch asks; this applies it: copies into the containers, restarts, exec, rebuilds).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/project_context.hpp"
#include "cli/watch_inotify.hpp"
#include "scheduler/watch_rules.hpp"

namespace stack::cli {

struct WatchSessionOptions {
  std::vector<std::string> services;  // empty: every service with develop.watch
  bool prune = false;                 // remove the image a rebuild replaced, when unused
  bool quiet = false;                 // no build output
};

class WatchSession {
 public:
  WatchSession(ProjectContext& ctx, WatchSessionOptions options) : ctx_(ctx), options_(std::move(options)) {}

  // The rules of the selected services; an error when a name is unknown or no rule is selected.
  util::Result<void> prepare();
  // As `up -d` for the selected services (their dependencies too); missing images built.
  util::Result<void> bring_up();
  // inotify on every rule's path, then the initial syncs; prints "Watch enabled".
  util::Result<void> start();
  // Applies batches of changes until stop_fd is readable; prints "Watch disabled".
  util::Result<void> run(int stop_fd);

 private:
  const scheduler::WatchMatcher& matcher(const std::string& service, size_t rule) const;
  util::Result<std::vector<scheduler::ContainerView>> running(const std::string& service);
  util::Result<void> sync(const std::string& service, const std::vector<scheduler::SyncPath>& paths);
  util::Result<void> exec(const std::string& service, size_t rule);
  util::Result<void> rebuild(const std::string& service);
  void prune(const std::string& old_id);
  util::Result<void> apply(const scheduler::ServiceWatchPlan& plan);

  ProjectContext& ctx_;
  WatchSessionOptions options_;
  std::vector<scheduler::WatchMatcher> rules_;
  std::optional<TreeWatch> watch_;
};

}  // namespace stack::cli
