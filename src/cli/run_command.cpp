// `stack run SERVICE [CMD...]`: a one-off container of the service (its dependencies started
// first), its output streamed here, its exit code returned; --rm removes it afterwards, -d
// leaves it running and prints its name.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <iostream>
#include <thread>

#include "cli/command.hpp"
#include "cli/log_follower.hpp"
#include "cli/project_context.hpp"

namespace stack::cli {
namespace {

class RunCommand final : public Command {
 public:
  std::string name() const override { return "run"; }
  std::string summary() const override { return "Run a one-off command in a new container of a service"; }

  void setup(CLI::App& app) override {
    app.add_flag("--rm", remove_, "Remove the container when it exits");
    app.add_flag("-d,--detach", detach_, "Run in the background and print the container name");
    app.add_option("-e,--env", env_, "Environment variable KEY=VALUE (repeatable)");
    app.add_option("-u,--user", user_, "User (name or uid[:gid])");
    app.add_option("-w,--workdir", workdir_, "Working directory");
    app.add_option("--entrypoint", entrypoint_, "Override the entrypoint");
    app.add_option("--name", name_, "Container name");
    app.add_flag("--no-deps", no_deps_, "Do not start the service's dependencies");
    app.add_flag("--service-ports", service_ports_, "Publish the service's ports");
    app.add_flag("-T,--no-TTY", no_tty_, "Do not allocate a TTY");
    app.prefix_command();
    app.fallthrough(false);  // a -f after the service is the command's, not the global -f
    app_ = &app;
  }

  int run(const GlobalOptions& global) override {
    std::vector<std::string> rest = app_->remaining();
    if (rest.empty()) {
      std::cerr << "stack: run needs a service: stack run [OPTIONS] SERVICE [COMMAND...]\n";
      return kExitUsage;
    }
    auto ctx = ProjectContext::open(global, ProjectContext::StackFile::required, ProjectContext::Progress::stderr_stream);
    if (!ctx) return kExitFailure;
    scheduler::Engine::RunOptions options;
    if (rest.size() > 1) options.command = std::vector<std::string>(rest.begin() + 1, rest.end());
    if (!entrypoint_.empty()) options.entrypoint = std::vector<std::string>{entrypoint_};
    for (const std::string& e : env_) {
      size_t eq = e.find('=');
      if (eq == std::string::npos) {
        const char* v = std::getenv(e.c_str());
        options.environment[e] = v ? v : "";
      } else {
        options.environment[e.substr(0, eq)] = e.substr(eq + 1);
      }
    }
    options.user = user_;
    options.working_dir = workdir_;
    options.no_deps = no_deps_;
    options.publish_ports = service_ports_;
    options.name = name_;
    auto name = ctx->engine().run(*ctx->stack(), rest[0], options);
    if (!name) return fail(name.error());
    if (detach_) {
      std::cout << *name << "\n";
      return kExitOk;
    }
    // Stream its output until it ends.
    LogFollower follower(ctx->root(), {std::nullopt, false, false, false}, std::cout);
    follower.add(*name);
    runtime::shim::ContainerState last;
    auto watch = ctx->runtime().watch({.logs = true});
    if (!watch) return fail(watch.error());
    for (;;) {
      auto state = ctx->runtime().state(*name);
      if (!state) return fail(state.error());
      follower.poll();
      if (!*state) break;
      last = **state;
      if (runtime::shim::is_final(last.status) || !last.shim_alive) break;
      if (auto added = (*watch)->add(*name, last); !added) return fail(added.error());
      if (auto woke = (*watch)->wait(std::chrono::seconds(2)); !woke) return fail(woke.error());
    }
    (*watch)->stop();
    follower.poll();
    if (remove_) {
      if (auto r = ctx->engine().remove_container(ctx->project(), *name); !r) return fail(r.error());
    }
    if (!last.error.empty()) {
      std::cerr << "stack: " << *name << ": " << last.error << "\n";
      return last.exit_code != 0 ? last.exit_code : kExitFailure;
    }
    return last.exit_code;
  }

 private:
  CLI::App* app_ = nullptr;
  bool remove_ = false;
  bool detach_ = false;
  std::vector<std::string> env_;
  std::string user_;
  std::string workdir_;
  std::string entrypoint_;
  std::string name_;
  bool no_deps_ = false;
  bool service_ports_ = false;
  bool no_tty_ = false;
};

std::unique_ptr<Command> make_run() { return std::make_unique<RunCommand>(); }
[[maybe_unused]] const bool kRunRegistered = register_command(&make_run);

}  // namespace
}  // namespace stack::cli
