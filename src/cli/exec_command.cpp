// `stack exec SERVICE CMD...`: run a command in a running container of the service, with the
// container's user, environment, working directory, capabilities and seccomp filter unless
// overridden; exits with the command's exit code.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <iostream>

#include "cli/command.hpp"
#include "cli/project_context.hpp"
#include "cli/service_container.hpp"
#include "runtime/interactive.hpp"

namespace stack::cli {
namespace {

class ExecCommand final : public Command {
 public:
  std::string name() const override { return "exec"; }
  std::string summary() const override { return "Run a command in a running container"; }

  void setup(CLI::App& app) override {
    app.add_flag("-T,--no-TTY", no_tty_, "Do not allocate a TTY (default: one when stdin and stdout are terminals)");
    app.add_option("-u,--user", user_, "User (name or uid[:gid])");
    app.add_option("-w,--workdir", workdir_, "Working directory");
    app.add_option("-e,--env", env_, "Environment variable KEY=VALUE (repeatable)");
    app.add_option("--index", index_, "Replica number of the service");
    app.add_flag("-d,--detach", detach_, "Run in the background");
    // SERVICE COMMAND [ARGS...]: everything from the first positional on is not parsed, so that
    // the command's own options (sh -c ...) stay the command's.
    app.prefix_command();
    app.fallthrough(false);  // a -f after the service is the command's, not the global -f
    app.footer("Usage: stack exec [OPTIONS] SERVICE COMMAND [ARGS...]");
    app_ = &app;
  }

  int run(const GlobalOptions& global) override {
    std::vector<std::string> rest = app_->remaining();
    if (rest.size() < 2) {
      std::cerr << "stack: exec needs a service and a command: stack exec SERVICE COMMAND [ARGS...]\n";
      return kExitUsage;
    }
    service_ = rest[0];
    command_.assign(rest.begin() + 1, rest.end());
    auto ctx = ProjectContext::open(global, ProjectContext::StackFile::name_only);
    if (!ctx) return kExitFailure;
    auto container = service_container(*ctx, service_, index_);
    if (!container) return fail(container.error());
    auto config = ctx->runtime().config(container->name);
    if (!config) return fail(config.error());
    runtime::ExecConfig exec;
    exec.args = command_;
    exec.env = config->container.env;
    for (const auto& e : env_) exec.env.push_back(e);
    exec.cwd = workdir_.empty() ? config->container.cwd : workdir_;
    exec.user = user_.empty() ? config->container.user : user_;
    exec.additional_groups = config->container.additional_groups;
    exec.security = config->container.security;
    // A terminal when both ends are one and -T was not given, as docker compose exec decides.
    if (!no_tty_ && !detach_ && ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO)) {
      exec.tty = true;
      auto code = runtime::exec_interactive(ctx->runtime(), container->name, exec, STDIN_FILENO, STDOUT_FILENO);
      if (!code) return fail(code.error().context("exec in " + container->name));
      return *code;
    }
    exec.stdin_fd = detach_ ? -1 : STDIN_FILENO;
    exec.stdout_fd = detach_ ? -1 : STDOUT_FILENO;
    exec.stderr_fd = detach_ ? -1 : STDERR_FILENO;
    auto code = ctx->runtime().exec(container->name, exec);
    if (!code) return fail(code.error().context("exec in " + container->name));
    return *code;
  }

 private:
  bool no_tty_ = false;
  bool detach_ = false;
  std::string user_;
  std::string workdir_;
  std::vector<std::string> env_;
  int index_ = 1;
  CLI::App* app_ = nullptr;
  std::string service_;
  std::vector<std::string> command_;
};

std::unique_ptr<Command> make_exec() { return std::make_unique<ExecCommand>(); }
[[maybe_unused]] const bool kExecRegistered = register_command(&make_exec);

}  // namespace
}  // namespace stack::cli
