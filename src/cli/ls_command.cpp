// `stack ls [--format table|json] [-a]`: the projects of this host, as `docker compose ls` lists
// them: name, status ("running(3)", "running(2), exited(1)") and config files. Read from the
// project records and the containers' states, so it works with or without the daemon.
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

#include "cli/command.hpp"
#include "cli/global_options.hpp"
#include "cli/output.hpp"
#include "cli/project_context.hpp"
#include "cli/table.hpp"
#include "scheduler/project_state.hpp"
#include "util/fd.hpp"
#include "util/state_root.hpp"

namespace stack::cli {
namespace {

class LsCommand final : public Command {
 public:
  std::string name() const override { return "ls"; }
  std::string summary() const override { return "List the projects of this host"; }

  void setup(CLI::App& app) override {
    app.add_option("--format", format_, "Output format: table or json")
        ->check(CLI::IsMember({"table", "json"}))
        ->capture_default_str();
    app.add_flag("-a,--all", all_, "Show projects with no running container too");
  }

  int run(const GlobalOptions& global) override {
    auto projects = scheduler::list_projects(global.root);
    if (!projects) return fail(projects.error());
    nlohmann::json list = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows;
    for (const std::string& project : *projects) {
      GlobalOptions named = global;
      named.project_name = project;
      named.files.clear();
      auto ctx = ProjectContext::open(named, ProjectContext::StackFile::name_only);
      if (!ctx) return kExitFailure;
      auto containers = ctx->engine().containers(project);
      if (!containers) return fail(containers.error());
      std::map<std::string, int> by_status;
      for (const auto& c : *containers) {
        by_status[runtime::shim::status_name(c.state.status)]++;
      }
      if (!all_ && !by_status.count("running") && !by_status.count("restarting")) continue;
      std::string status;
      for (const auto& [s, n] : by_status) status += (status.empty() ? "" : ", ") + s + "(" + std::to_string(n) + ")";
      std::string files;
      if (auto text = util::read_file(util::StateRoot(global.root).project_record(project))) {
        if (auto record = scheduler::decode_project(*text)) {
          for (const auto& f : record->config_files) files += (files.empty() ? "" : ",") + f;
        }
      }
      list.push_back({{"Name", project}, {"Status", status}, {"ConfigFiles", files}});
      rows.push_back({project, status, files});
    }
    if (format_ == "json") std::cout << to_json_text(list);
    else print_table(std::cout, {"NAME", "STATUS", "CONFIG FILES"}, rows);
    return kExitOk;
  }

 private:
  std::string format_ = "table";
  bool all_ = false;
};

[[maybe_unused]] const bool kLsRegistered = register_command(
    []() -> std::unique_ptr<Command> { return std::make_unique<LsCommand>(); });

}  // namespace
}  // namespace stack::cli
