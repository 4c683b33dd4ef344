// `stack ps`: the project's containers with service, status (health, restarts, OOM kill), ports,
// created.
// Reads state files only: no shim is asked anything, so it stays fast on large stacks.
#include <CLI/CLI.hpp>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "cli/project_context.hpp"
#include "cli/table.hpp"

namespace stack::cli {
namespace {

std::string ports_text(const std::vector<net::proxy::Forward>& ports) {
  std::string out;
  for (const auto& p : ports) {
    for (const std::string& ip : net::proxy::listen_ips(p)) {
      if (!out.empty()) out += ", ";
      out += net::proxy::with_brackets(ip) + ":" + std::to_string(p.host_port) + "->" + std::to_string(p.target_port) +
             "/" + net::proxy::protocol_name(p.protocol);
    }
  }
  return out;
}

std::string command_text(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  std::replace(out.begin(), out.end(), '\n', ' ');
  if (out.size() > 30) out = out.substr(0, 27) + "...";
  return "\"" + out + "\"";
}

class PsCommand final : public Command {
 public:
  std::string name() const override { return "ps"; }
  std::string summary() const override { return "List the project's containers"; }

  void setup(CLI::App& app) override {
    app.add_flag("-a,--all", all_, "Show stopped containers too");
    app.add_flag("-q,--quiet", quiet_, "Only print container names");
    app.add_option("--format", format_, "table or json")->check(CLI::IsMember({"table", "json"}));
    app.add_option("services", services_, "Only these services");
  }

  int run(const GlobalOptions& global) override {
    auto ctx = ProjectContext::open(global, ProjectContext::StackFile::name_only);
    if (!ctx) return kExitFailure;
    auto containers = ctx->engine().containers(ctx->project());
    if (!containers) return fail(containers.error());
    auto now = std::chrono::system_clock::now();
    std::vector<std::vector<std::string>> rows;
    nlohmann::json json = nlohmann::json::array();
    for (const auto& c : *containers) {
      bool running = c.state.shim_alive && !runtime::shim::is_final(c.state.status);
      if (!all_ && !running) continue;
      if (!services_.empty() && std::find(services_.begin(), services_.end(), c.service) == services_.end()) continue;
      std::string status = scheduler::describe_status(c.state, now);
      // docker shows only "Exited (137)"; its inspect says OOMKilled. Here ps says it too.
      if (c.state.oom_killed) status += " (OOMKilled)";
      if (c.state.restart_count > 0) status += " (restarts: " + std::to_string(c.state.restart_count) + ")";
      if (quiet_) {
        std::cout << c.name << "\n";
        continue;
      }
      if (format_ != "json") {
        rows.push_back({c.name, c.image, command_text(c.command), c.service, c.created.substr(0, 19), status, ports_text(c.ports)});
        continue;
      }
      nlohmann::json publishers = nlohmann::json::array();
      for (const auto& p : c.ports) {
        for (const std::string& ip : net::proxy::listen_ips(p)) {
          publishers.push_back({{"URL", ip}, {"TargetPort", p.target_port}, {"PublishedPort", p.host_port},
                                {"Protocol", net::proxy::protocol_name(p.protocol)}});
        }
      }
      json.push_back({{"Name", c.name},
                      {"Service", c.service},
                      {"Image", c.image},
                      {"Command", c.command},
                      {"Project", ctx->project()},
                      {"State", runtime::shim::status_name(c.state.status)},
                      {"Health", c.state.health ? runtime::shim::health_status_name(c.state.health->status) : ""},
                      {"ExitCode", c.state.exit_code},
                      {"OOMKilled", c.state.oom_killed},
                      {"RestartCount", c.state.restart_count},
                      {"Status", status},
                      {"Created", c.created},
                      {"StartedAt", c.state.started_at},
                      {"Pid", c.state.pid},
                      {"Networks", c.addresses},
                      {"Publishers", publishers}});
    }
    if (quiet_) return kExitOk;
    if (format_ == "json") {
      std::cout << to_json_text(json);
    } else {
      print_table(std::cout, {"NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"}, rows);
    }
    return kExitOk;
  }

 private:
  bool all_ = false;
  bool quiet_ = false;
  std::string format_ = "table";
  std::vector<std::string> services_;
};

std::unique_ptr<Command> make_ps() { return std::make_unique<PsCommand>(); }
[[maybe_unused]] const bool kPsRegistered = register_command(&make_ps);

}  // namespace
}  // namespace stack::cli
