// `stack logs`: the containers' output from their json-file logs, prefixed with the container
// name; -f follows until Ctrl-C, picking up containers that appear meanwhile.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>

#include "cli/command.hpp"
#include "cli/log_follower.hpp"
#include "cli/project_context.hpp"

namespace stack::cli {
namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

class LogsCommand final : public Command {
 public:
  std::string name() const override { return "logs"; }
  std::string summary() const override { return "Show the containers' output"; }

  void setup(CLI::App& app) override {
    app.add_flag("-f,--follow", follow_, "Follow the output");
    app.add_option("-n,--tail", tail_, "Number of lines from the end of each log (default: all)");
    app.add_flag("-t,--timestamps", timestamps_, "Show timestamps");
    app.add_flag("--no-log-prefix", no_prefix_, "Do not prefix lines with the container name");
    app.add_flag("--no-color", no_color_, "Plain output");
    app.add_option("services", services_, "Only these services");
  }

  int run(const GlobalOptions& global) override {
    auto ctx = ProjectContext::open(global, ProjectContext::StackFile::if_present);
    if (!ctx) return kExitFailure;
    LogOptions options;
    if (tail_ != "all") {
      try {
        options.tail = std::stoul(tail_);
      } catch (const std::exception&) {
        std::cerr << "stack: --tail '" << tail_ << "': expected a number or 'all'\n";
        return kExitUsage;
      }
    }
    options.timestamps = timestamps_;
    options.prefix = !no_prefix_;
    options.color = !no_color_ && ::isatty(STDOUT_FILENO) != 0;
    LogFollower follower(ctx->root(), options, std::cout);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    // -f wakes on a write to a followed log and on a container made meanwhile.
    std::unique_ptr<runtime::StateWatch> watch;
    if (follow_) {
      auto opened = ctx->runtime().watch({.logs = true, .new_containers = true});
      if (!opened) return fail(opened.error());
      watch = std::move(*opened);
    }
    for (bool first = true; first || (follow_ && !g_stop); first = false) {
      auto containers = ctx->engine().containers(ctx->project());
      if (!containers) return fail(containers.error());
      if (first && !services_.empty()) {
        for (const auto& s : services_) {
          if (ctx->stack() && !ctx->stack()->find_service(s)) {
            std::cerr << "stack: no such service: " << s << "\n";
            return kExitFailure;
          }
        }
      }
      for (const auto& c : *containers) {
        if (!services_.empty() && std::find(services_.begin(), services_.end(), c.service) == services_.end()) continue;
        if (!follower.has(c.name)) follower.add(c.name);
        if (watch) {
          if (auto added = watch->add(c.name, c.state); !added) return fail(added.error());
        }
      }
      follower.poll();
      if (watch) {
        if (auto woke = watch->wait(std::chrono::seconds(2)); !woke) return fail(woke.error());
      }
    }
    return kExitOk;
  }

 private:
  bool follow_ = false;
  std::string tail_ = "all";
  bool timestamps_ = false;
  bool no_prefix_ = false;
  bool no_color_ = false;
  std::vector<std::string> services_;
};

std::unique_ptr<Command> make_logs() { return std::make_unique<LogsCommand>(); }
[[maybe_unused]] const bool kLogsRegistered = register_command(&make_logs);

}  // namespace
}  // namespace stack::cli
