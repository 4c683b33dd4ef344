// Resource limits: the service-level keys (mem_limit, cpus, ...), deploy.resources, blkio_config,
// ulimits, and replicas from scale / deploy.replicas. Both spellings of one limit may be written
// when they agree; different values are an error rather than a silent pick.
#include <algorithm>
#include <regex>

#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"
#include "util/bytes.hpp"

namespace stack::spec {

namespace {

std::string last_key(const std::string& path) { return path.substr(path.rfind('.') + 1); }

// memswap_limit takes -1 for "unlimited" as an integer; sizes otherwise.
std::optional<int64_t> read_limit(ServiceDraft& d, const Node& v, const std::string& p) {
  if (v.is_scalar() && v.scalar == "-1") return -1;
  return read_bytes(v, p, *d.diags);
}

// pids_limit and deploy.resources.limits.pids: as docker, 0 and every negative number are
// "unlimited", stored as -1.
std::optional<int64_t> read_pids(ServiceDraft& d, const Node& v, const std::string& p) {
  auto i = read_int(v, p, *d.diags);
  if (i && *i <= 0) return -1;
  return i;
}

// docker's cpu shares: 0 is the default (none set); below 2 raised to 2, above 262144 lowered to
// 262144 (the kernel's bounds), with a warning as docker gives.
void read_cpu_shares(ServiceDraft& d, const Node& v, const std::string& p) {
  constexpr int64_t kMin = 2, kMax = 262144;
  auto i = read_int(v, p, *d.diags);
  if (i && *i < 0) d.error(v, p, "must not be negative (0 is the default weight)");
  if (!i || *i <= 0) return;
  int64_t shares = std::clamp(*i, kMin, kMax);
  if (shares != *i)
    d.diags->warn(v.mark, p, "cpu shares " + std::to_string(*i) + " changed to " +
                                 std::to_string(shares) + " (the kernel's range is 2 to 262144)");
  d.service.resources.cpu_shares = shares;
}

void read_cpuset(ServiceDraft& d, const Node& v, const std::string& p) {
  auto s = read_string(v, p, *d.diags);
  if (!s) return;
  static const std::regex kCpuset("[0-9]{1,6}(-[0-9]{1,6})?(,[0-9]{1,6}(-[0-9]{1,6})?)*");
  static const std::regex kDownward("(^|,)([0-9]+)-([0-9]+)");
  if (!std::regex_match(*s, kCpuset)) {
    d.error(v, p, "\"" + *s + "\" is not a valid cpu set");
    return;
  }
  for (std::sregex_iterator it(s->begin(), s->end(), kDownward), end; it != end; ++it) {
    if (std::stoull((*it)[2].str()) > std::stoull((*it)[3].str())) {
      d.error(v, p, "\"" + *s + "\": the range " + (*it)[2].str() + "-" + (*it)[3].str() + " goes down");
      return;
    }
  }
  d.service.resources.cpuset = *s;
}

// cpu_rt_runtime and cpu_rt_period: microseconds as an integer, or a duration ("400ms"), as compose
// takes them; at most one second, the kernel's bound for both.
std::optional<int64_t> read_rt_microseconds(const Node& v, const std::string& p, Diagnostics& diags, int64_t min) {
  const bool integer = v.is_scalar() && !v.scalar.empty() &&
                       std::all_of(v.scalar.begin(), v.scalar.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (integer) return read_int(v, p, diags, min, 1000000);
  auto d = read_duration(v, p, diags);
  if (!d) return std::nullopt;
  const int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(*d).count();
  if (us < min || us > 1000000) {
    diags.error(v, p, v.scalar + " is out of range (" + std::to_string(min) + "us to 1s)");
    return std::nullopt;
  }
  return us;
}

}  // namespace

void read_resource_key(ServiceDraft& d, const Node& v, const std::string& p) {
  std::string key = last_key(p);
  Resources& r = d.service.resources;
  Diagnostics& diags = *d.diags;
  // A 0 is docker's "not set" for every one of these but pids_limit (then: unlimited).
  if (key == "mem_limit") {
    if (auto b = read_bytes(v, p, diags)) d.mem_limit = Sourced<int64_t>{*b, &v};
  } else if (key == "memswap_limit") {
    d.memswap_node = &v;
    if (auto b = read_limit(d, v, p); b && *b != 0) r.memswap = *b;
  } else if (key == "mem_reservation") {
    if (auto b = read_bytes(v, p, diags)) d.mem_reservation = Sourced<int64_t>{*b, &v};
  } else if (key == "cpus") {
    if (auto c = read_double(v, p, diags)) d.cpus = Sourced<double>{*c, &v};
  } else if (key == "cpu_shares") {
    read_cpu_shares(d, v, p);
  } else if (key == "cpu_quota") {
    // The kernel's least quota is 1 ms; -1 is unlimited.
    auto i = read_int(v, p, diags, -1);
    if (i && *i > 0 && *i < 1000) d.error(v, p, "must be at least 1000 (1 ms), or -1 for no limit");
    else if (i && *i != 0) r.cpu_quota = *i;
  } else if (key == "cpu_period") {
    auto i = read_int(v, p, diags, 0, 1000000);
    if (i && *i > 0 && *i < 1000) d.error(v, p, "must be between 1000 (1 ms) and 1000000 (1 s)");
    else if (i && *i != 0) r.cpu_period = *i;
  } else if (key == "cpu_rt_runtime") {
    if (auto us = read_rt_microseconds(v, p, diags, 0)) {
      r.cpu_rt_runtime = *us;
      d.rt_runtime_node = &v;
      d.rt_runtime_path = p;
    }
  } else if (key == "cpu_rt_period") {
    if (auto us = read_rt_microseconds(v, p, diags, 1)) r.cpu_rt_period = *us;
  } else if (key == "cpuset") {
    read_cpuset(d, v, p);
  } else if (key == "pids_limit") {
    if (auto i = read_pids(d, v, p)) d.pids_limit = Sourced<int64_t>{*i, &v};
  } else if (key == "mem_swappiness") {
    // -1 is docker's "not set" (the kernel's default, inherited from the parent).
    if (auto i = read_int(v, p, diags, -1, 100); i && *i != -1) r.memory_swappiness = *i;
  } else if (key == "oom_kill_disable") {
    if (auto b = read_bool(v, p, diags)) r.oom_kill_disable = *b;
  }
}

void read_oom_score_adj(ServiceDraft& d, const Node& v, const std::string& p) {
  if (auto i = read_int(v, p, *d.diags, -1000, 1000)) d.service.oom_score_adj = static_cast<int>(*i);
}

void read_scale(ServiceDraft& d, const Node& v, const std::string& p) {
  if (auto i = read_int(v, p, *d.diags, 0, 10000)) d.scale = Sourced<int64_t>{*i, &v};
}

namespace {

void read_limits(ServiceDraft& d, const Node& v, const std::string& p, bool reservations) {
  static constexpr std::string_view kLimits[] = {"cpus", "memory", "pids", "devices"};
  static constexpr std::string_view kReservations[] = {"cpus", "memory", "devices",
                                                       "generic_resources"};
  if (!expect_mapping(v, p, *d.diags)) return;
  if (reservations) check_keys(v, p, kReservations, *d.diags);
  else check_keys(v, p, kLimits, *d.diags);
  if (const Node* n = v.find("cpus")) {
    auto c = read_double(*n, join_path(p, "cpus"), *d.diags);
    if (c && reservations) d.service.resources.reservation_cpus = *c;
    else if (c) d.deploy_cpus = Sourced<double>{*c, n};
  }
  if (const Node* n = v.find("memory")) {
    auto b = read_bytes(*n, join_path(p, "memory"), *d.diags);
    if (b) (reservations ? d.deploy_mem_reservation : d.deploy_memory) = Sourced<int64_t>{*b, n};
  }
  if (const Node* n = v.find("pids")) {
    if (auto i = read_pids(d, *n, join_path(p, "pids"))) d.deploy_pids = Sourced<int64_t>{*i, n};
  }
  for (std::string_view k : {"devices", "generic_resources"})
    if (const Node* n = v.find(k)) d.error(*n, join_path(p, k), "not supported yet");
}

void read_deploy_resources(ServiceDraft& d, const Node& v, const std::string& p) {
  static constexpr std::string_view kKeys[] = {"limits", "reservations"};
  if (!expect_mapping(v, p, *d.diags)) return;
  check_keys(v, p, kKeys, *d.diags);
  if (const Node* n = v.find("limits")) read_limits(d, *n, join_path(p, "limits"), false);
  if (const Node* n = v.find("reservations")) read_limits(d, *n, join_path(p, "reservations"), true);
}

// deploy.restart_policy as docker compose maps it onto the container's restart policy:
// condition none -> no, on-failure -> on-failure:max_attempts, any (the default) -> always.
// delay and window are swarm-only and ignored by docker compose too.
void read_restart_policy(ServiceDraft& d, const Node& v, const std::string& p) {
  static constexpr std::string_view kKeys[] = {"condition", "delay", "max_attempts", "window"};
  if (!expect_mapping(v, p, *d.diags)) return;
  check_keys(v, p, kKeys, *d.diags);
  RestartPolicy policy{RestartPolicy::Kind::always, std::nullopt};
  if (const Node* n = v.find("condition")) {
    auto s = read_string(*n, join_path(p, "condition"), *d.diags);
    if (!s) return;
    if (*s == "none" || *s == "no") policy.kind = RestartPolicy::Kind::no;
    else if (*s == "on-failure") policy.kind = RestartPolicy::Kind::on_failure;
    else if (*s == "unless-stopped") policy.kind = RestartPolicy::Kind::unless_stopped;
    else if (*s != "any" && *s != "always") {
      d.error(*n, join_path(p, "condition"),
              "unknown condition '" + *s + "' (none, on-failure or any)");
      return;
    }
  }
  if (const Node* n = v.find("max_attempts")) {
    auto i = read_int(*n, join_path(p, "max_attempts"), *d.diags, 0, 1 << 30);
    if (i && policy.kind == RestartPolicy::Kind::on_failure) policy.max_retries = int(*i);
  }
  for (std::string_view k : {"delay", "window"})
    if (const Node* n = v.find(k)) (void)read_duration(*n, join_path(p, k), *d.diags);
  d.deploy_restart = policy;
}

void read_deploy_mode(ServiceDraft& d, const Node& v, const std::string& p) {
  auto s = read_string(v, p, *d.diags);
  if (s && *s != "replicated") d.error(v, p, "mode '" + *s + "' is not supported yet");
}

}  // namespace

void read_deploy(ServiceDraft& d, const Node& v, const std::string& p) {
  // placement, update_config, rollback_config and endpoint_mode only mean something to swarm;
  // docker compose ignores them on one host, and so does this.
  static constexpr std::string_view kKeys[] = {
      "mode", "replicas", "labels", "resources", "restart_policy", "placement", "update_config",
      "rollback_config", "endpoint_mode"};
  if (!expect_mapping(v, p, *d.diags)) return;
  check_keys(v, p, kKeys, *d.diags);
  if (const Node* n = v.find("mode")) read_deploy_mode(d, *n, join_path(p, "mode"));
  if (const Node* n = v.find("replicas")) {
    if (auto i = read_int(*n, join_path(p, "replicas"), *d.diags, 0, 10000))
      d.deploy_replicas = Sourced<int64_t>{*i, n};
  }
  if (const Node* n = v.find("labels")) (void)read_string_map(*n, join_path(p, "labels"), *d.diags);
  if (const Node* n = v.find("resources")) read_deploy_resources(d, *n, join_path(p, "resources"));
  if (const Node* n = v.find("restart_policy"))
    read_restart_policy(d, *n, join_path(p, "restart_policy"));
}

namespace {

std::string show(int64_t v, bool bytes) { return bytes ? util::format_bytes(v) : std::to_string(v); }
std::string show(double v, bool) {
  std::string s = std::to_string(v);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// The value of a limit written as a service key and/or under deploy.resources.
template <class T>
std::optional<T> settle(ServiceDraft& d, const std::optional<Sourced<T>>& top, const char* top_key,
                        const std::optional<Sourced<T>>& deploy, const char* deploy_key, bool bytes) {
  if (top && deploy && top->value != deploy->value) {
    d.error(*top->node, join_path(d.path, top_key),
            "conflicts with " + std::string(deploy_key) + " (" + show(top->value, bytes) + " vs " +
                show(deploy->value, bytes) + ")");
  }
  if (top) return top->value;
  if (deploy) return deploy->value;
  return std::nullopt;
}

}  // namespace

void finish_resources(ServiceDraft& d) {
  Resources& r = d.service.resources;
  if (r.cpu_rt_runtime && *r.cpu_rt_runtime > r.cpu_rt_period.value_or(1000000)) {
    d.error(*d.rt_runtime_node, d.rt_runtime_path,
            "must not exceed cpu_rt_period (" + std::to_string(r.cpu_rt_period.value_or(1000000)) + " microseconds)");
  }
  r.memory = settle(d, d.mem_limit, "mem_limit", d.deploy_memory,
                    "deploy.resources.limits.memory", true);
  r.memory_reservation = settle(d, d.mem_reservation, "mem_reservation", d.deploy_mem_reservation,
                                "deploy.resources.reservations.memory", true);
  r.cpus = settle(d, d.cpus, "cpus", d.deploy_cpus, "deploy.resources.limits.cpus", false);
  r.pids = settle(d, d.pids_limit, "pids_limit", d.deploy_pids, "deploy.resources.limits.pids", false);
  auto replicas = settle(d, d.scale, "scale", d.deploy_replicas, "deploy.replicas", false);
  d.service.replicas = int(replicas.value_or(1));
  // 0 is docker's "no limit" for memory and its reservation.
  if (r.memory == 0) r.memory.reset();
  if (r.memory_reservation == 0) r.memory_reservation.reset();
  std::string swap_at = join_path(d.path, "memswap_limit");
  const Mark& swap_mark = d.memswap_node ? d.memswap_node->mark : d.service.location.mark;
  if (r.memswap == -1 && !r.memory) r.memswap.reset();  // unlimited swap, and no memory limit: the default
  if (r.memswap && !r.memory)
    d.diags->error(swap_mark, swap_at, "needs a memory limit (mem_limit): it is memory plus swap");
  if (r.memory && r.memswap && *r.memswap != -1 && *r.memswap < *r.memory)
    d.diags->error(swap_mark, swap_at,
                   "must not be less than the memory limit (" + util::format_bytes(*r.memswap) +
                       " < " + util::format_bytes(*r.memory) + ")");
  if (r.memory && r.memory_reservation && *r.memory_reservation > *r.memory)
    d.diags->error(d.service.location.mark, join_path(d.path, "mem_reservation"),
                   "must not be more than the memory limit");
}

}  // namespace stack::spec
