// `stack down`: stop and remove the project's containers (dependents first), its networks, and
// with -v its volumes. Works from the record alone (-p NAME, no file) and after a crash.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/command.hpp"
#include "cli/project_context.hpp"

namespace stack::cli {
namespace {

class DownCommand final : public Command {
 public:
  std::string name() const override { return "down"; }
  std::string summary() const override { return "Stop and remove containers and networks"; }

  void setup(CLI::App& app) override {
    app.add_flag("-v,--volumes", volumes_, "Remove named volumes and anonymous volumes too");
    app.add_flag("--remove-orphans", remove_orphans_, "Remove containers of services not in the file");
    app.add_option("-t,--timeout", timeout_, "Seconds to wait for a container to stop before killing it");
  }

  int run(const GlobalOptions& global) override {
    auto ctx = ProjectContext::open(global, ProjectContext::StackFile::if_present);
    if (!ctx) return kExitFailure;
    scheduler::DownOptions options;
    options.volumes = volumes_;
    options.remove_orphans = remove_orphans_ || ctx->stack() == nullptr;
    if (timeout_ >= 0) options.timeout = std::chrono::seconds(timeout_);
    if (auto r = ctx->engine().down(ctx->project(), ctx->stack(), options); !r) return fail(r.error());
    return kExitOk;
  }

 private:
  bool volumes_ = false;
  bool remove_orphans_ = false;
  int timeout_ = -1;
};

std::unique_ptr<Command> make_down() { return std::make_unique<DownCommand>(); }
[[maybe_unused]] const bool kDownRegistered = register_command(&make_down);

}  // namespace
}  // namespace stack::cli
