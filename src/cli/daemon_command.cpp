// `stack daemon [--stacks-dir DIR] [--resync DUR]`: continuous reconcile of every stack file of a
// directory, for the systemd service (contrib/systemd/stack.service; docs/operations.md).
// `stack daemon status [--format json]`: what the running daemon knows of each project.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/command.hpp"
#include "cli/daemon_reconciler.hpp"
#include "cli/global_options.hpp"
#include "cli/output.hpp"
#include "cli/project_context.hpp"
#include "cli/table.hpp"
#include "daemon/daemon.hpp"
#include "daemon/status_socket.hpp"
#include "util/duration.hpp"

namespace stack::cli {
namespace {

class DaemonCommand final : public Command {
 public:
  std::string name() const override { return "daemon"; }
  std::string summary() const override { return "Reconcile every stack of a directory, continuously (systemd service)"; }

  void setup(CLI::App& app) override {
    app.require_subcommand(0, 1);
    app.add_option("--stacks-dir", options_.stacks_dir, "Directory of stack files, one project each")
        ->capture_default_str()
        ->type_name("DIR");
    app.add_option("--resync", resync_, "How often every project is looked at, whatever happened")
        ->capture_default_str()
        ->type_name("DURATION");
    status_ = app.add_subcommand("status", "Show what the running daemon knows of each project");
    status_->add_option("--format", format_, "Output format: table or json")
        ->check(CLI::IsMember({"table", "json"}))
        ->capture_default_str();
  }

  int run(const GlobalOptions& global) override {
    if (status_->parsed()) return show_status(global);
    auto resync = util::parse_duration(resync_);
    if (!resync || resync->count() <= 0) {
      std::cerr << "stack: daemon: --resync '" << resync_ << "' is not a positive duration\n";
      return kExitUsage;
    }
    if (auto checked = engine_options(global); !checked) return fail(checked.error());
    options_.root = global.root;
    options_.resync = std::chrono::duration_cast<std::chrono::milliseconds>(*resync);
    EngineReconciler reconciler(global);
    return daemon::run_daemon(options_, reconciler);
  }

 private:
  int show_status(const GlobalOptions& global) const {
    auto status = daemon::query_status(daemon::status_socket_path(global.root));
    if (!status) return fail(status.error());
    if (format_ == "json") {
      std::cout << to_json_text(*status);
      return kExitOk;
    }
    std::cout << status->value("summary", "") << "\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : status->value("projects", nlohmann::json::array())) {
      std::string state = p.value("state", "");
      if (p.contains("retry_at")) state += " (retry at " + p.value("retry_at", "") + ")";
      rows.push_back({p.value("key", ""), p.value("project", ""), state,
                      std::to_string(p.value("running", 0)) + "/" + std::to_string(p.value("total", 0)),
                      p.value("last_pass", ""), p.value("last_error", "")});
    }
    print_table(std::cout, {"STACK", "PROJECT", "STATE", "RUNNING", "LAST PASS", "ERROR"}, rows);
    return kExitOk;
  }

  daemon::DaemonOptions options_;
  std::string resync_ = "30s";
  CLI::App* status_ = nullptr;
  std::string format_ = "table";
};

[[maybe_unused]] const bool kDaemonRegistered = register_command(
    []() -> std::unique_ptr<Command> { return std::make_unique<DaemonCommand>(); });

}  // namespace
}  // namespace stack::cli
