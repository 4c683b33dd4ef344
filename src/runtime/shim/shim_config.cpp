#include "runtime/shim/shim_config.hpp"

#include <string.h>

#include <csignal>
#include <tuple>
#include <nlohmann/json.hpp>

namespace stack::runtime::shim {

using nlohmann::json;
using util::Errc;
using util::Error;

namespace {

json encode_devices(const std::vector<cgroup::DeviceLimit>& devices) {
  json out = json::array();
  for (const auto& d : devices) out.push_back({{"major", d.major}, {"minor", d.minor}, {"rate", d.rate}});
  return out;
}

std::vector<cgroup::DeviceLimit> decode_devices(const json& j) {
  std::vector<cgroup::DeviceLimit> out;
  for (const auto& d : j) {
    out.push_back({d.at("major").get<uint32_t>(), d.at("minor").get<uint32_t>(), d.at("rate").get<uint64_t>()});
  }
  return out;
}

template <class T>
void put(json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

template <class T>
void take(const json& j, const char* key, std::optional<T>& v) {
  if (j.contains(key) && !j.at(key).is_null()) v = j.at(key).get<T>();
}

json encode_limits(const cgroup::Limits& l) {
  json j = json::object();
  put(j, "memory_bytes", l.memory_bytes);
  put(j, "memory_swap_bytes", l.memory_swap_bytes);
  put(j, "memory_reservation_bytes", l.memory_reservation_bytes);
  put(j, "memory_swappiness", l.memory_swappiness);
  if (l.oom_kill_disable) j["oom_kill_disable"] = true;
  put(j, "pids_max", l.pids_max);
  put(j, "cpu_quota_us", l.cpu_quota_us);
  put(j, "cpu_rt_runtime_us", l.cpu_rt_runtime_us);
  put(j, "cpu_rt_period_us", l.cpu_rt_period_us);
  put(j, "cpu_period_us", l.cpu_period_us);
  put(j, "cpu_shares", l.cpu_shares);
  put(j, "cpuset_cpus", l.cpuset_cpus);
  if (l.blkio_weight) j["blkio_weight"] = *l.blkio_weight;
  j["read_bps"] = encode_devices(l.read_bps);
  j["write_bps"] = encode_devices(l.write_bps);
  j["read_iops"] = encode_devices(l.read_iops);
  j["write_iops"] = encode_devices(l.write_iops);
  return j;
}

cgroup::Limits decode_limits(const json& j) {
  cgroup::Limits l;
  take(j, "memory_bytes", l.memory_bytes);
  take(j, "memory_swap_bytes", l.memory_swap_bytes);
  take(j, "memory_reservation_bytes", l.memory_reservation_bytes);
  take(j, "memory_swappiness", l.memory_swappiness);
  l.oom_kill_disable = j.value("oom_kill_disable", false);
  take(j, "pids_max", l.pids_max);
  take(j, "cpu_quota_us", l.cpu_quota_us);
  take(j, "cpu_rt_runtime_us", l.cpu_rt_runtime_us);
  take(j, "cpu_rt_period_us", l.cpu_rt_period_us);
  take(j, "cpu_period_us", l.cpu_period_us);
  take(j, "cpu_shares", l.cpu_shares);
  take(j, "cpuset_cpus", l.cpuset_cpus);
  take(j, "blkio_weight", l.blkio_weight);
  l.read_bps = decode_devices(j.value("read_bps", json::array()));
  l.write_bps = decode_devices(j.value("write_bps", json::array()));
  l.read_iops = decode_devices(j.value("read_iops", json::array()));
  l.write_iops = decode_devices(j.value("write_iops", json::array()));
  return l;
}

constexpr const char* kHealthActions[] = {"none", "kill", "restart", "stop"};

json encode_health(const HealthCheck& h) {
  return {{"kind", h.kind == HealthTestKind::cmd ? "CMD" : "CMD-SHELL"},
          {"on_failure", kHealthActions[static_cast<int>(h.on_failure)]},
          {"test", h.test},
          {"interval_ns", h.interval.count()},
          {"timeout_ns", h.timeout.count()},
          {"retries", h.retries},
          {"start_period_ns", h.start_period.count()},
          {"start_interval_ns", h.start_interval.count()}};
}

HealthCheck decode_health(const json& j) {
  HealthCheck h;
  h.kind = j.at("kind").get<std::string>() == "CMD" ? HealthTestKind::cmd : HealthTestKind::cmd_shell;
  h.test = j.at("test").get<std::vector<std::string>>();
  h.interval = Nanos(j.at("interval_ns").get<std::int64_t>());
  h.timeout = Nanos(j.at("timeout_ns").get<std::int64_t>());
  h.retries = j.at("retries").get<int>();
  h.start_period = Nanos(j.at("start_period_ns").get<std::int64_t>());
  h.start_interval = Nanos(j.at("start_interval_ns").get<std::int64_t>());
  const std::string action = j.value("on_failure", "none");
  for (int i = 0; i < 4; ++i) {
    if (action == kHealthActions[i]) h.on_failure = static_cast<HealthAction>(i);
  }
  return h;
}

}  // namespace

util::Result<RestartPolicy> parse_restart_policy(std::string_view text) {
  if (text == "no" || text.empty()) return RestartPolicy{RestartMode::no, 0};
  if (text == "always") return RestartPolicy{RestartMode::always, 0};
  if (text == "unless-stopped") return RestartPolicy{RestartMode::unless_stopped, 0};
  if (text == "on-failure") return RestartPolicy{RestartMode::on_failure, 0};
  constexpr std::string_view kPrefix = "on-failure:";
  if (text.substr(0, kPrefix.size()) == kPrefix) {
    std::string_view digits = text.substr(kPrefix.size());
    int n = 0;
    bool ok = !digits.empty() && digits.size() <= 6;
    for (char c : digits) {
      ok = ok && c >= '0' && c <= '9';
      n = n * 10 + (c - '0');
    }
    if (ok) return RestartPolicy{RestartMode::on_failure, n};
  }
  return Error(Errc::invalid_argument, "restart policy '" + std::string(text) + "' is not one of "
               "no, always, on-failure[:N], unless-stopped");
}

std::string format_restart_policy(const RestartPolicy& p) {
  switch (p.mode) {
    case RestartMode::no: return "no";
    case RestartMode::always: return "always";
    case RestartMode::unless_stopped: return "unless-stopped";
    case RestartMode::on_failure:
      return p.max_retries > 0 ? "on-failure:" + std::to_string(p.max_retries) : "on-failure";
  }
  return "no";
}

util::Result<int> parse_signal(std::string_view text) {
  std::string name(text);
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos && name.size() < 4) {
    int n = std::stoi(name);
    if (n >= 1 && n < NSIG) return n;
  }
  if (name.rfind("SIG", 0) == 0) name = name.substr(3);
  // The real-time signals as the stack file writes them (C library numbering, as docker's):
  // RTMIN = 34, RTMIN+n, RTMAX-n, RTMAX = 64.
  constexpr int kRtMin = 34, kRtMax = 64;
  for (auto [base, at, sign] : {std::tuple{"RTMIN", kRtMin, '+'}, std::tuple{"RTMAX", kRtMax, '-'}}) {
    if (name.rfind(base, 0) != 0) continue;
    if (name.size() == 5) return at;
    std::string off = name.substr(6);
    if (name[5] != sign || off.empty() || off.size() > 2 || off.find_first_not_of("0123456789") != std::string::npos) break;
    int n = at + (sign == '+' ? 1 : -1) * std::stoi(off);
    if (n >= kRtMin && n <= kRtMax) return n;
    break;
  }
  for (int sig = 1; sig < NSIG; ++sig) {
    const char* abbrev = ::sigabbrev_np(sig);
    if (abbrev != nullptr && name == abbrev) return sig;
  }
  return Error(Errc::invalid_argument, "unknown signal '" + std::string(text) + "'");
}

std::string encode_shim_config(const ShimConfig& c) {
  json j = {{"container", json::parse(encode_config(c.container))},
            {"cgroup_path", c.cgroup_path},
            {"limits", encode_limits(c.limits)},
            {"restart", format_restart_policy(c.restart)},
            {"stop_signal", c.stop_signal},
            {"stdin_open", c.stdin_open},
            {"stop_grace_period_ns", c.stop_grace_period.count()},
            {"log", {{"max_size", c.log.max_size}, {"max_file", c.log.max_file}}}};
  if (c.healthcheck) j["healthcheck"] = encode_health(*c.healthcheck);
  json ports = json::array();
  for (const auto& p : c.ports) ports.push_back(net::proxy::encode_forward(p));
  j["ports"] = std::move(ports);
  j["labels"] = c.labels;
  return j.dump(2) + "\n";
}

util::Result<ShimConfig> decode_shim_config(const std::string& text) {
  ShimConfig c;
  std::string restart;
  // nlohmann throws; the exception stays inside this function.
  try {
    json j = json::parse(text);
    STACK_ASSIGN_OR_RETURN(c.container, config_from_json(j.at("container")));
    c.cgroup_path = j.at("cgroup_path").get<std::string>();
    c.limits = decode_limits(j.value("limits", json::object()));
    restart = j.value("restart", std::string("no"));
    c.stop_signal = j.value("stop_signal", 15);
    c.stdin_open = j.value("stdin_open", false);
    c.stop_grace_period = Nanos(j.value("stop_grace_period_ns", std::int64_t{10'000'000'000}));
    json log = j.value("log", json::object());
    c.log.max_size = log.value("max_size", std::int64_t{0});
    c.log.max_file = log.value("max_file", 1);
    if (j.contains("healthcheck") && !j.at("healthcheck").is_null()) {
      c.healthcheck = decode_health(j.at("healthcheck"));
    }
    for (const auto& p : j.value("ports", json::array())) {
      STACK_ASSIGN_OR_RETURN(net::proxy::Forward f, net::proxy::decode_forward(p).context("shim config: ports"));
      c.ports.push_back(f);
    }
    c.labels = j.value("labels", std::map<std::string, std::string>{});
  } catch (const json::exception& e) {
    return Error(Errc::parse, std::string("shim config: ") + e.what());
  }
  STACK_ASSIGN_OR_RETURN(c.restart, parse_restart_policy(restart));
  if (c.log.max_file < 1) c.log.max_file = 1;
  return c;
}

}  // namespace stack::runtime::shim
