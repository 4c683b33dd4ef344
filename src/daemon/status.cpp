#include "daemon/status.hpp"

#include <ctime>
#include <sstream>

namespace stack::daemon {

namespace {

std::string rfc3339(std::chrono::system_clock::time_point t) {
  if (t.time_since_epoch().count() == 0) return "";
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

const char* phase_name(ProjectPhase phase) {
  switch (phase) {
    case ProjectPhase::reconciling: return "reconciling";
    case ProjectPhase::converged: return "converged";
    case ProjectPhase::failing: return "failing";
    case ProjectPhase::invalid: return "invalid";
    case ProjectPhase::removing: return "removing";
  }
  return "reconciling";
}

std::string summary_line(const DaemonStatus& status) {
  int running = 0, total = 0;
  std::vector<std::string> failing;
  for (const auto& [key, p] : status.projects) {
    running += p.running;
    total += p.total;
    if (p.phase == ProjectPhase::failing || p.phase == ProjectPhase::invalid) failing.push_back(key);
  }
  std::ostringstream out;
  out << status.projects.size() << (status.projects.size() == 1 ? " stack, " : " stacks, ") << running << "/"
      << total << " running";
  if (!failing.empty()) {
    out << ", " << failing.size() << " failing: ";
    for (size_t i = 0; i < failing.size(); ++i) out << (i ? ", " : "") << failing[i];
  }
  return out.str();
}

nlohmann::json to_json(const DaemonStatus& status) {
  nlohmann::json projects = nlohmann::json::array();
  for (const auto& [key, p] : status.projects) {
    nlohmann::json j = {{"key", p.key},         {"project", p.project},         {"files", p.files},
                        {"state", phase_name(p.phase)}, {"running", p.running}, {"total", p.total},
                        {"last_error", p.last_error},   {"last_pass", rfc3339(p.last_pass)},
                        {"failures", p.failures}};
    if (p.phase == ProjectPhase::failing) j["retry_at"] = rfc3339(p.retry_at);
    projects.push_back(std::move(j));
  }
  return {{"stacks_dir", status.stacks_dir}, {"ready", status.ready}, {"summary", summary_line(status)},
          {"projects", projects}};
}

}  // namespace stack::daemon
