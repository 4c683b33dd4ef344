// The daemon's reconciler over the real engine: one pass of a project is `up -d` (resync: what
// ended follows its restart policy; boot: everything comes up), with progress as log lines, then
// what to watch for it (its shims and DNS servers, its bridges and veths).
#pragma once

#include "cli/global_options.hpp"
#include "daemon/reconciler.hpp"

namespace stack::cli {

class EngineReconciler final : public daemon::Reconciler {
 public:
  explicit EngineReconciler(const GlobalOptions& global) : global_(global) {}

  util::Result<daemon::PassOutcome> apply(const daemon::StackSource& source, daemon::PassMode mode) override;
  util::Result<void> remove(const std::string& project) override;

 private:
  GlobalOptions global_;
};

}  // namespace stack::cli
