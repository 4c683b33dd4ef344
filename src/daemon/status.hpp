// What the daemon knows of each project, for `stack daemon status`, systemd's STATUS= line and
// the logs. A value: the daemon updates it after each pass and serves a copy.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stack::daemon {

enum class ProjectPhase {
  reconciling,  // a pass runs
  converged,    // the last pass succeeded
  failing,      // the last pass failed; retried after a backoff
  invalid,      // the file does not load: the last good model stays applied
  removing,     // its file is gone: brought down
};

const char* phase_name(ProjectPhase phase);

struct ProjectStatus {
  std::string key;      // NAME in the stacks directory
  std::string project;  // the project name ("" before the first good load)
  std::vector<std::string> files;
  ProjectPhase phase = ProjectPhase::reconciling;
  int running = 0;  // containers of its services running
  int total = 0;    // containers of its services
  std::string last_error;  // one line; file:line:col for a stack file that does not load
  std::chrono::system_clock::time_point last_pass{};
  std::chrono::system_clock::time_point retry_at{};  // failing: when the next pass is due
  int failures = 0;
};

struct DaemonStatus {
  std::string stacks_dir;
  bool ready = false;  // the first pass over every project is done
  std::map<std::string, ProjectStatus> projects;  // by key
};

// "3 stacks, 11/12 running, 1 failing: shop" (systemd's STATUS=).
std::string summary_line(const DaemonStatus& status);

nlohmann::json to_json(const DaemonStatus& status);

}  // namespace stack::daemon
