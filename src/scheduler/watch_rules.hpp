// `stack watch`, the pure part: which develop.watch rule a changed host path triggers, the
// container path it maps to, and how changes are batched (compose's 500 ms quiet period). No I/O:
// the CLI's watch_command.cpp feeds it inotify's paths and applies the plan it returns.
//
// A rule ignores, as compose's watch does: what the .dockerignore of the service's build context
// excludes (paths relative to that context), editors' temporary files, anything in a .git
// directory, and the rule's own `ignore` patterns (relative to the rule's path); with `include`,
// only what the patterns match is taken.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "build/dockerignore.hpp"
#include "spec/model.hpp"
#include "util/result.hpp"

namespace stack::scheduler {

class WatchMatcher {
 public:
  // dockerignore: the build context's rules, or null when the service has no build.
  static util::Result<WatchMatcher> make(const spec::Service& service, size_t rule_index,
                                         const build::IgnoreRules* dockerignore);

  const std::string& service() const { return service_; }
  size_t rule_index() const { return rule_index_; }
  const spec::WatchRule& rule() const { return rule_; }
  // Whether an absolute host path at or below the rule's path is left out.
  bool ignored(std::string_view host_path) const;
  // The container path of a changed host path (target + the path below the rule's path; "" for
  // rules without a target); nullopt when the rule does not take the change.
  std::optional<std::string> map(std::string_view host_path) const;

 private:
  std::string service_;
  size_t rule_index_ = 0;
  spec::WatchRule rule_;
  std::string context_;  // the build context, "" without build
  build::IgnoreRules dockerignore_, editor_, ignore_, include_;
};

// One host path and where it goes in the container.
struct SyncPath {
  std::string host;
  std::string container;
  size_t rule = 0;  // index into the service's watch: whose ignore rules a directory copy keeps
  bool operator==(const SyncPath&) const = default;
};

// What one batch asks of one service, applied in this order: rebuild, sync, restart, exec.
struct ServiceWatchPlan {
  std::string service;
  bool rebuild = false;
  std::vector<SyncPath> sync;     // sorted by host path, each once
  bool restart = false;
  std::vector<size_t> exec_rules;  // indexes into the service's watch, sorted, each once
  size_t changes = 0;              // changed paths that any rule of the service took
};

// The plans of a batch of changed absolute host paths, sorted by service.
std::vector<ServiceWatchPlan> plan_watch_batch(const std::vector<WatchMatcher>& rules,
                                               const std::vector<std::string>& changed);

// Debouncing: a batch is due once no change has come for the quiet period (compose's 500 ms).
class ChangeBatch {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ChangeBatch(std::chrono::milliseconds quiet = std::chrono::milliseconds(500)) : quiet_(quiet) {}

  void add(std::string path, Clock::time_point now);
  // When the batch is due; nullopt when it is empty.
  std::optional<Clock::time_point> due() const;
  // The paths, sorted and each once, when due at now (and the batch emptied); else none.
  std::vector<std::string> take(Clock::time_point now);

 private:
  std::chrono::milliseconds quiet_;
  std::vector<std::string> paths_;
  Clock::time_point last_{};
};

// "a/b" of "/x/a/b" below "/x"; "." for the base itself; nullopt when not at or below it.
std::optional<std::string> path_below(std::string_view base, std::string_view path);

}  // namespace stack::scheduler
