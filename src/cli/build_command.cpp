// `stack build [--no-cache] [--pull] [--build-arg K=V]... [SERVICE...]`: build (again) the images
// of the services with `build:` (default: all of them), each tagged with its image name
// (`image`, else {project}-{service}) and its build.tags, as `docker compose build` does. Services
// without build are skipped. The progress is `stack image build`'s, on stderr.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/build_progress.hpp"
#include "cli/command.hpp"
#include "cli/project_context.hpp"

namespace stack::cli {
namespace {

class BuildCommand final : public Command {
 public:
  std::string name() const override { return "build"; }
  std::string summary() const override { return "Build the images of services with build"; }

  void setup(CLI::App& app) override {
    app.add_flag("--no-cache", no_cache_, "Run every step, whatever the step cache holds");
    app.add_flag("--pull", pull_, "Pull every base image from its registry first");
    app.add_option("--build-arg", build_args_, "Build argument KEY=VALUE, or KEY from the environment (repeatable)");
    app.add_option("services", services_, "Services to build (default: all with build)");
  }

  int run(const GlobalOptions& global) override {
    ServiceBuildOptions o;
    o.when = BuildWhen::always;
    o.services = services_;
    o.no_cache = no_cache_;
    o.pull = pull_;
    for (const auto& a : build_args_) {
      if (!split_pair(a, o.build_args, true)) {
        std::cerr << "stack: build: --build-arg '" << a << "': expected KEY=VALUE or KEY\n";
        return kExitUsage;
      }
    }
    auto ctx = ProjectContext::open(global, ProjectContext::StackFile::required);
    if (!ctx) return kExitFailure;
    if (auto built = ctx->build_images(std::move(o)); !built) return fail(built.error());
    return kExitOk;
  }

 private:
  bool no_cache_ = false;
  bool pull_ = false;
  std::vector<std::string> build_args_;
  std::vector<std::string> services_;
};

std::unique_ptr<Command> make_build() { return std::make_unique<BuildCommand>(); }
[[maybe_unused]] const bool kBuildRegistered = register_command(&make_build);

}  // namespace
}  // namespace stack::cli
