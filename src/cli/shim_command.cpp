// `stack shim --id ID` (hidden): the per-container supervisor, started by the Runtime from
// /proc/self/exe, never by hand. Everything it does is in src/runtime/shim/shim.hpp.
#include <CLI/CLI.hpp>

#include "cli/command.hpp"
#include "cli/global_options.hpp"
#include "runtime/shim/shim.hpp"

namespace stack::cli {
namespace {

class ShimCommand final : public Command {
 public:
  std::string name() const override { return "shim"; }
  std::string summary() const override { return "Supervise one container (internal)"; }

  void setup(CLI::App& app) override {
    app.group("");  // hidden from `stack --help`: the Runtime starts it, users do not
    app.add_option("--id", id_, "The container to run")->required();
    app.add_option("--ready-fd", ready_fd_, "Descriptor closed once the first start is done");
  }

  int run(const GlobalOptions& global) override {
    return runtime::shim::run_shim({global.root, id_, ready_fd_});
  }

 private:
  std::string id_;
  int ready_fd_ = -1;
};

[[maybe_unused]] const bool kShimRegistered = register_command(
    []() -> std::unique_ptr<Command> { return std::make_unique<ShimCommand>(); });

}  // namespace
}  // namespace stack::cli
