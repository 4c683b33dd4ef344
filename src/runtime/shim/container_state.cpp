#include "runtime/shim/container_state.hpp"

#include <array>
#include <nlohmann/json.hpp>

#include "runtime/state_paths.hpp"
#include "util/fd.hpp"

namespace stack::runtime::shim {

using nlohmann::json;
using util::Errc;
using util::Error;

namespace {

constexpr std::array<const char*, 5> kStatusNames = {"created", "running", "restarting", "exited",
                                                     "stopped"};
constexpr std::array<const char*, 3> kHealthNames = {"starting", "healthy", "unhealthy"};

template <class Enum, std::size_t N>
std::optional<Enum> lookup(const std::array<const char*, N>& names, const std::string& name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (name == names[i]) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

bool is_final(Status status) { return status == Status::exited || status == Status::stopped; }

const char* status_name(Status status) { return kStatusNames.at(static_cast<std::size_t>(status)); }

const char* health_status_name(HealthStatus status) {
  return kHealthNames.at(static_cast<std::size_t>(status));
}

std::string encode_state(const ContainerState& s) {
  json j = {{"status", status_name(s.status)},   {"pid", s.pid},
            {"shim_pid", s.shim_pid},            {"shim_start_ticks", s.shim_start_ticks},
            {"started_at", s.started_at},
            {"finished_at", s.finished_at},      {"exit_code", s.exit_code},
            {"signal", s.signal},                {"oom_killed", s.oom_killed},
            {"restart_count", s.restart_count},  {"error", s.error}};
  if (s.shim_died) j["shim_died"] = true;
  if (!s.error.empty()) j["error_code"] = util::errc_name(s.error_code);
  if (!s.error_subject.empty()) j["error_subject"] = s.error_subject;
  if (!s.ports.empty()) {
    json ports = json::array();
    for (const auto& p : s.ports) ports.push_back(net::proxy::encode_forward(p));
    j["ports"] = std::move(ports);
  }
  if (s.health) {
    j["health"] = {{"status", health_status_name(s.health->status)},
                   {"failing_streak", s.health->failing_streak},
                   {"last_output", s.health->last_output}};
  }
  // Invalid UTF-8 in an error or probe output must not make the dump throw.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

util::Result<ContainerState> decode_state(const std::string& text) {
  ContainerState s;
  // nlohmann throws; the exception stays inside this function.
  try {
    json j = json::parse(text);
    auto status = lookup<Status>(kStatusNames, j.at("status").get<std::string>());
    if (!status) return Error(Errc::parse, "state: unknown status '" + j.at("status").get<std::string>() + "'");
    s.status = *status;
    s.pid = j.value("pid", 0);
    s.shim_pid = j.value("shim_pid", 0);
    s.shim_start_ticks = j.value("shim_start_ticks", std::uint64_t{0});
    s.started_at = j.value("started_at", "");
    s.finished_at = j.value("finished_at", "");
    s.exit_code = j.value("exit_code", 0);
    s.signal = j.value("signal", 0);
    s.oom_killed = j.value("oom_killed", false);
    s.restart_count = j.value("restart_count", 0);
    s.error = j.value("error", "");
    s.error_code = util::parse_errc(j.value("error_code", "io"));
    s.error_subject = j.value("error_subject", "");
    s.shim_died = j.value("shim_died", false);
    for (const auto& p : j.value("ports", json::array())) {
      STACK_ASSIGN_OR_RETURN(net::proxy::Forward f, net::proxy::decode_forward(p).context("state: ports"));
      s.ports.push_back(f);
    }
    if (j.contains("health") && j.at("health").is_object()) {
      const json& h = j.at("health");
      Health health;
      health.status = lookup<HealthStatus>(kHealthNames, h.value("status", "starting"))
                          .value_or(HealthStatus::starting);
      health.failing_streak = h.value("failing_streak", 0);
      health.last_output = h.value("last_output", "");
      s.health = health;
    }
  } catch (const json::exception& e) {
    return Error(Errc::parse, std::string("state: ") + e.what());
  }
  return s;
}

util::Result<void> write_state(const std::string& path, const ContainerState& state) {
  return write_file_atomic(path, encode_state(state), util::Durability::process_crash);
}

util::Result<ContainerState> read_state(const std::string& path) {
  STACK_ASSIGN_OR_RETURN(std::string text, util::read_file(path));
  return decode_state(text).context("'" + path + "'");
}

}  // namespace stack::runtime::shim
