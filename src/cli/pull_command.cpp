// `stack pull [SERVICE...]`: pull the images of the stack's services from their registries
// (services with pull_policy: never and services with build, whose image is built, are skipped), a
// progress bar per layer on a terminal.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <iostream>
#include <set>

#include "cli/command.hpp"
#include "scheduler/image_resolver.hpp"
#include "cli/project_context.hpp"
#include "cli/pull_progress.hpp"

namespace stack::cli {
namespace {

class PullCommand final : public Command {
 public:
  std::string name() const override { return "pull"; }
  std::string summary() const override { return "Pull the images of the stack's services"; }

  void setup(CLI::App& app) override {
    app.add_flag("--ignore-pull-failures", ignore_failures_, "Pull what can be pulled and report the rest");
    app.add_flag("-q,--quiet", quiet_, "Print nothing but errors");
    app.add_option("services", services_, "Services (default: all)");
  }

  int run(const GlobalOptions& global) override {
    auto ctx = ProjectContext::open(global, ProjectContext::StackFile::required);
    if (!ctx) return kExitFailure;
    for (const auto& s : services_) {
      if (!ctx->stack()->find_service(s)) {
        std::cerr << "stack: no such service: " << s << "\n";
        return kExitFailure;
      }
    }
    std::set<std::string> done;
    int status = kExitOk;
    std::ostream null_out(nullptr);
    for (const spec::Service& service : ctx->stack()->services) {
      if (!services_.empty() && std::find(services_.begin(), services_.end(), service.name) == services_.end()) continue;
      if (service.build || scheduler::pull_policy_of(service) == image::PullPolicy::never) continue;
      if (!done.insert(service.image).second) continue;
      auto pulled = pull_with_progress(ctx->images(), service.image, {}, quiet_ ? null_out : std::cout,
                                       !quiet_ && ::isatty(STDOUT_FILENO) != 0);
      if (!pulled) {
        fail(pulled.error().context("services." + service.name + ".image"));
        if (!ignore_failures_) return kExitFailure;
        status = kExitFailure;
      }
    }
    return status;
  }

 private:
  bool ignore_failures_ = false;
  bool quiet_ = false;
  std::vector<std::string> services_;
};

std::unique_ptr<Command> make_pull() { return std::make_unique<PullCommand>(); }
[[maybe_unused]] const bool kPullRegistered = register_command(&make_pull);

}  // namespace
}  // namespace stack::cli
