// start, stop, restart, kill and rm: the verbs that act on the existing containers of some (or
// all) services and differ only in the engine call. One file, because they share everything else.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/command.hpp"
#include "cli/project_context.hpp"
#include "runtime/shim/shim_config.hpp"

namespace stack::cli {
namespace {

class LifecycleCommand : public Command {
 public:
  void setup(CLI::App& app) override {
    add_options(app);
    app.add_option("services", services_, "Services (default: all)");
  }

  int run(const GlobalOptions& global) override {
    auto ctx = ProjectContext::open(global, ProjectContext::StackFile::if_present);
    if (!ctx) return kExitFailure;
    if (ctx->stack()) {
      for (const auto& s : services_) {
        if (!ctx->stack()->find_service(s)) {
          std::cerr << "stack: no such service: " << s << "\n";
          return kExitFailure;
        }
      }
    }
    // With the file: the dependency order and the hooks, as compose.
    stack_ = ctx->stack();
    auto r = apply(ctx->engine(), ctx->project());
    return r ? kExitOk : fail(r.error());
  }

 protected:
  virtual void add_options(CLI::App&) {}
  virtual util::Result<void> apply(scheduler::Engine& engine, const std::string& project) = 0;

  std::optional<std::chrono::nanoseconds> timeout() const {
    if (timeout_ < 0) return std::nullopt;
    return std::chrono::seconds(timeout_);
  }

  std::vector<std::string> services_;
  const spec::Stack* stack_ = nullptr;  // the stack file's model; null without one
  int timeout_ = -1;
};

class StartCommand final : public LifecycleCommand {
 public:
  std::string name() const override { return "start"; }
  std::string summary() const override { return "Start existing containers"; }
  util::Result<void> apply(scheduler::Engine& e, const std::string& p) override { return e.start(p, services_, stack_); }
};

class StopCommand final : public LifecycleCommand {
 public:
  std::string name() const override { return "stop"; }
  std::string summary() const override { return "Stop running containers without removing them"; }
  void add_options(CLI::App& app) override {
    app.add_option("-t,--timeout", timeout_, "Seconds to wait before killing");
  }
  util::Result<void> apply(scheduler::Engine& e, const std::string& p) override { return e.stop(p, services_, timeout(), stack_); }
};

class RestartCommand final : public LifecycleCommand {
 public:
  std::string name() const override { return "restart"; }
  std::string summary() const override { return "Restart containers"; }
  void add_options(CLI::App& app) override {
    app.add_option("-t,--timeout", timeout_, "Seconds to wait before killing");
  }
  util::Result<void> apply(scheduler::Engine& e, const std::string& p) override { return e.restart(p, services_, timeout(), stack_); }
};

class KillCommand final : public LifecycleCommand {
 public:
  std::string name() const override { return "kill"; }
  std::string summary() const override { return "Send a signal to the containers' main process"; }
  void add_options(CLI::App& app) override { app.add_option("-s,--signal", signal_, "Signal (default SIGKILL)"); }
  util::Result<void> apply(scheduler::Engine& e, const std::string& p) override {
    STACK_ASSIGN_OR_RETURN(int signal, runtime::shim::parse_signal(signal_));
    return e.kill(p, services_, signal);
  }

 private:
  std::string signal_ = "SIGKILL";
};

class RmCommand final : public LifecycleCommand {
 public:
  std::string name() const override { return "rm"; }
  std::string summary() const override { return "Remove stopped containers"; }
  void add_options(CLI::App& app) override {
    app.add_flag("-f,--force", force_, "Remove running containers too (stops them)");
    app.add_flag("-s,--stop", force_, "Stop the containers first");
    app.add_flag("-v,--volumes", volumes_, "Remove the containers' anonymous volumes");
  }
  util::Result<void> apply(scheduler::Engine& e, const std::string& p) override {
    return e.remove(p, services_, force_, volumes_);
  }

 private:
  bool force_ = false;
  bool volumes_ = false;
};

template <class T>
std::unique_ptr<Command> make() {
  return std::make_unique<T>();
}
[[maybe_unused]] const bool kStart = register_command(&make<StartCommand>);
[[maybe_unused]] const bool kStop = register_command(&make<StopCommand>);
[[maybe_unused]] const bool kRestart = register_command(&make<RestartCommand>);
[[maybe_unused]] const bool kKill = register_command(&make<KillCommand>);
[[maybe_unused]] const bool kRm = register_command(&make<RmCommand>);

}  // namespace
}  // namespace stack::cli
