// `stack top [SERVICE...]`: the processes running in each container (from its cgroup and /proc).
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/command.hpp"
#include "cli/project_context.hpp"
#include "cli/table.hpp"

namespace stack::cli {
namespace {

std::string cpu_time(std::chrono::nanoseconds t) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(t).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

class TopCommand final : public Command {
 public:
  std::string name() const override { return "top"; }
  std::string summary() const override { return "Show the processes running in the containers"; }

  void setup(CLI::App& app) override { app.add_option("services", services_, "Services (default: all)"); }

  int run(const GlobalOptions& global) override {
    auto ctx = ProjectContext::open(global, ProjectContext::StackFile::name_only);
    if (!ctx) return kExitFailure;
    auto containers = ctx->engine().containers(ctx->project());
    if (!containers) return fail(containers.error());
    bool first = true;
    for (const auto& c : *containers) {
      if (!services_.empty() && std::find(services_.begin(), services_.end(), c.service) == services_.end()) continue;
      if (!c.state.shim_alive || runtime::shim::is_final(c.state.status)) continue;
      auto processes = ctx->runtime().top(c.name);
      if (!processes) return fail(processes.error());
      std::vector<std::vector<std::string>> rows;
      for (const auto& p : *processes) {
        rows.push_back({std::to_string(p.uid), std::to_string(p.pid), std::to_string(p.ppid), std::string(1, p.state),
                        std::to_string(p.rss_bytes / 1024), cpu_time(p.cpu_time), p.cmdline});
      }
      std::cout << (first ? "" : "\n") << c.name << "\n";
      print_table(std::cout, {"UID", "PID", "PPID", "S", "RSS KiB", "TIME", "CMD"}, rows);
      first = false;
    }
    return kExitOk;
  }

 private:
  std::vector<std::string> services_;
};

std::unique_ptr<Command> make_top() { return std::make_unique<TopCommand>(); }
[[maybe_unused]] const bool kTopRegistered = register_command(&make_top);

}  // namespace
}  // namespace stack::cli
