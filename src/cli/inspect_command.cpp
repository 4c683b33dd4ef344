// `stack inspect CONTAINER...`: the project's containers in docker inspect's shape (a JSON array:
// State, Config, Mounts, NetworkSettings), from what the engine lists and the config each container
// was created from. The runtime keeps the command line resolved against the image: Path and Args
// (and Config.Cmd) are that line, and Config.Entrypoint is null.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "cli/project_context.hpp"

namespace stack::cli {
namespace {

using nlohmann::json;

// docker's zero time for a start or finish that has not happened.
std::string or_zero_time(const std::string& when) { return when.empty() ? "0001-01-01T00:00:00Z" : when; }

const char* docker_status(const runtime::shim::ContainerState& s) {
  using runtime::shim::Status;
  switch (s.status) {
    case Status::created: return "created";
    case Status::running: return s.shim_alive ? "running" : "exited";
    case Status::restarting: return "restarting";
    case Status::exited:
    case Status::stopped: return "exited";
  }
  return "exited";
}

json state_json(const runtime::shim::ContainerState& s) {
  bool running = s.shim_alive && s.status == runtime::shim::Status::running;
  json j = {{"Status", docker_status(s)},
            {"Running", running},
            {"Paused", false},
            {"Restarting", s.status == runtime::shim::Status::restarting},
            {"OOMKilled", s.oom_killed},
            {"Dead", false},
            {"Pid", running ? s.pid : 0},
            {"ExitCode", s.exit_code},
            {"Error", s.error},
            {"StartedAt", or_zero_time(s.started_at)},
            {"FinishedAt", or_zero_time(s.finished_at)}};
  if (s.health) {
    json log = json::array();
    if (!s.health->last_output.empty()) log.push_back({{"Output", s.health->last_output}});
    j["Health"] = {{"Status", runtime::shim::health_status_name(s.health->status)},
                   {"FailingStreak", s.health->failing_streak},
                   {"Log", log}};
  }
  return j;
}

json mounts_json(const std::vector<runtime::MountConfig>& mounts) {
  json out = json::array();
  for (const auto& m : mounts) {
    const char* type = m.type == runtime::MountType::bind     ? "bind"
                       : m.type == runtime::MountType::volume ? "volume"
                                                              : "tmpfs";
    out.push_back({{"Type", type},
                   {"Source", m.source},
                   {"Destination", m.destination},
                   {"Mode", m.read_only ? "ro" : "rw"},
                   {"RW", !m.read_only},
                   {"Propagation", ""}});
  }
  return out;
}

json network_settings_json(const scheduler::ContainerView& c) {
  json networks = json::object();
  for (const auto& [name, address] : c.addresses) networks[name] = {{"IPAddress", address}};
  // docker's field for the IPv6 address of an endpoint
  for (const auto& [name, address] : c.addresses6) networks[name]["GlobalIPv6Address"] = address;
  json ports = json::object();
  for (const auto& p : c.ports) {
    for (const std::string& ip : net::proxy::listen_ips(p)) {
      ports[std::to_string(p.target_port) + "/" + net::proxy::protocol_name(p.protocol)].push_back(
          {{"HostIp", ip}, {"HostPort", std::to_string(p.host_port)}});
    }
  }
  return {{"Networks", networks}, {"Ports", ports}};
}

json inspect_json(const scheduler::ContainerView& c, const runtime::shim::ShimConfig& config) {
  const runtime::ContainerConfig& rc = config.container;
  std::vector<std::string> args;
  if (rc.args.size() > 1) args.assign(rc.args.begin() + 1, rc.args.end());
  return {{"Id", c.name},
          {"Name", "/" + c.name},
          {"Created", c.created},
          {"Path", rc.args.empty() ? "" : rc.args.front()},
          {"Args", args},
          {"State", state_json(c.state)},
          {"Image", c.image},
          {"RestartCount", c.state.restart_count},
          {"Config", {{"Hostname", rc.hostname},
                      {"Domainname", rc.domainname},
                      {"User", rc.user},
                      {"Env", rc.env},
                      {"Cmd", rc.args},
                      {"Entrypoint", nullptr},
                      {"Image", c.image},
                      {"WorkingDir", rc.cwd},
                      {"Labels", config.labels}}},
          {"Mounts", mounts_json(rc.mounts)},
          {"NetworkSettings", network_settings_json(c)}};
}

class InspectCommand final : public Command {
 public:
  std::string name() const override { return "inspect"; }
  std::string summary() const override { return "Show the project's containers in docker inspect's shape"; }

  void setup(CLI::App& app) override {
    app.add_option("containers", names_, "Container names (as stack ps shows them)")->required();
  }

  int run(const GlobalOptions& global) override {
    auto ctx = ProjectContext::open(global, ProjectContext::StackFile::name_only);
    if (!ctx) return kExitFailure;
    auto containers = ctx->engine().containers(ctx->project());
    if (!containers) return fail(containers.error());
    json out = json::array();
    int status = kExitOk;
    for (const std::string& name : names_) {
      auto it = std::find_if(containers->begin(), containers->end(),
                             [&](const scheduler::ContainerView& c) { return c.name == name; });
      if (it == containers->end()) {
        std::cerr << "stack: no such container: '" << name << "'\n";
        status = kExitFailure;
        continue;
      }
      auto config = ctx->runtime().config(name);
      if (!config) {
        status = fail(config.error());
        continue;
      }
      out.push_back(inspect_json(*it, *config));
    }
    std::cout << to_json_text(out);
    return status;
  }

 private:
  std::vector<std::string> names_;
};

std::unique_ptr<Command> make_inspect() { return std::make_unique<InspectCommand>(); }
[[maybe_unused]] const bool kInspectRegistered = register_command(&make_inspect);

}  // namespace
}  // namespace stack::cli
