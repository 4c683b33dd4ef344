// `stack stats [--no-stream] [SERVICE...]`: CPU, memory, pids and network I/O of each container,
// from its cgroup; CPU % is measured over the interval between two samples, as docker stats does.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "cli/project_context.hpp"
#include "cli/table.hpp"
#include "util/bytes.hpp"

namespace stack::cli {
namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

std::string human(uint64_t bytes) { return util::human_bytes(bytes, true); }

class StatsCommand final : public Command {
 public:
  std::string name() const override { return "stats"; }
  std::string summary() const override { return "Show the containers' resource usage"; }

  void setup(CLI::App& app) override {
    app.add_flag("--no-stream", no_stream_, "Print one sample and exit");
    app.add_option("--format", format_, "table or json")->check(CLI::IsMember({"table", "json"}));
    app.add_option("services", services_, "Services (default: all)");
  }

  int run(const GlobalOptions& global) override {
    auto ctx = ProjectContext::open(global, ProjectContext::StackFile::name_only);
    if (!ctx) return kExitFailure;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::map<std::string, std::pair<uint64_t, std::chrono::steady_clock::time_point>> last;
    const bool tty = ::isatty(STDOUT_FILENO) != 0;
    // The first sample only sets the baseline for CPU %: take it, wait a moment, then print.
    for (int round = 0; !g_stop; ++round) {
      auto containers = ctx->engine().containers(ctx->project());
      if (!containers) return fail(containers.error());
      std::vector<std::vector<std::string>> rows;
      nlohmann::json json = nlohmann::json::array();
      for (const auto& c : *containers) {
        if (!services_.empty() && std::find(services_.begin(), services_.end(), c.service) == services_.end()) continue;
        if (!c.state.shim_alive || runtime::shim::is_final(c.state.status)) continue;
        auto s = ctx->runtime().stats(c.name);
        if (!s) continue;  // it stopped between the listing and now
        auto now = std::chrono::steady_clock::now();
        double cpu = 0;
        if (auto it = last.find(c.name); it != last.end()) {
          double wall = std::chrono::duration<double, std::nano>(now - it->second.second).count();
          if (wall > 0) cpu = 100.0 * static_cast<double>(s->cpu_usage_ns - it->second.first) / wall;
        }
        last[c.name] = {s->cpu_usage_ns, now};
        char pct[16];
        std::snprintf(pct, sizeof pct, "%.2f%%", cpu);
        std::string mem = human(s->memory_usage) + " / " + (s->memory_limit ? human(*s->memory_limit) : "unlimited");
        std::string netio = s->net_rx_bytes ? human(*s->net_rx_bytes) + " / " + human(s->net_tx_bytes.value_or(0)) : "-";
        rows.push_back({c.name, pct, mem, netio, std::to_string(s->pids)});
        json.push_back({{"Name", c.name}, {"Service", c.service}, {"CPUPerc", cpu}, {"MemUsage", s->memory_usage},
                        {"MemLimit", s->memory_limit ? nlohmann::json(*s->memory_limit) : nlohmann::json()},
                        {"NetRx", s->net_rx_bytes.value_or(0)}, {"NetTx", s->net_tx_bytes.value_or(0)}, {"PIDs", s->pids}});
      }
      if (round == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        continue;
      }
      if (tty && !no_stream_ && format_ == "table") std::cout << "\033[2J\033[H";
      if (format_ == "json") {
        std::cout << to_json_text(json);
      } else {
        print_table(std::cout, {"NAME", "CPU %", "MEM USAGE / LIMIT", "NET I/O", "PIDS"}, rows);
      }
      std::cout.flush();
      if (no_stream_) break;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    return kExitOk;
  }

 private:
  bool no_stream_ = false;
  std::string format_ = "table";
  std::vector<std::string> services_;
};

std::unique_ptr<Command> make_stats() { return std::make_unique<StatsCommand>(); }
[[maybe_unused]] const bool kStatsRegistered = register_command(&make_stats);

}  // namespace
}  // namespace stack::cli
