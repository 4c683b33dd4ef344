// How a service starts, stops and is judged healthy: restart, healthcheck, depends_on,
// stop_signal and pull_policy.
#include <algorithm>
#include <array>
#include <cctype>

#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"
#include "spec/suggest.hpp"

namespace stack::spec {

std::optional<RestartPolicy> parse_restart(std::string_view text) {
  using Kind = RestartPolicy::Kind;
  // "no" is often written unquoted; YAML 1.1 readers turn it into false, so accept both.
  if (text == "no" || text == "false") return RestartPolicy{Kind::no, std::nullopt};
  if (text == "always") return RestartPolicy{Kind::always, std::nullopt};
  if (text == "unless-stopped") return RestartPolicy{Kind::unless_stopped, std::nullopt};
  if (text == "on-failure") return RestartPolicy{Kind::on_failure, std::nullopt};
  if (text.rfind("on-failure:", 0) == 0) {
    auto n = parse_int(text.substr(11));
    if (!n || *n < 0 || *n > (1 << 30)) return std::nullopt;
    return RestartPolicy{Kind::on_failure, int(*n)};
  }
  return std::nullopt;
}

void read_restart(ServiceDraft& d, const Node& v, const std::string& p) {
  auto s = read_string(v, p, *d.diags);
  if (!s) return;
  auto policy = parse_restart(*s);
  if (!policy) {
    d.error(v, p, "\"" + *s + "\" is not a valid restart policy (no, always, on-failure[:N], "
                  "unless-stopped)");
    return;
  }
  d.service.restart = *policy;
  d.restart_set = true;
}

namespace {

bool read_test(ServiceDraft& d, const Node& v, const std::string& p, Healthcheck& hc) {
  if (v.is_scalar()) {
    hc.test = {"CMD-SHELL", v.scalar};
    return true;
  }
  auto list = read_string_list(v, p, *d.diags, false);
  if (!list) return false;
  std::string head = list->empty() ? std::string() : (*list)[0];
  if (head == "NONE") {
    hc.test = {"NONE"};
    hc.disable = true;
  } else if ((head == "CMD" && list->size() >= 2) || (head == "CMD-SHELL" && list->size() == 2)) {
    hc.test = std::move(*list);
  } else if (head == "CMD" || head == "CMD-SHELL") {
    d.error(v, p, head == "CMD" ? "'CMD' needs a command" : "'CMD-SHELL' takes exactly one command");
    return false;
  } else {
    d.error(list->empty() ? v : v.items[0], list->empty() ? p : index_path(p, 0),
            "a test list must start with 'NONE', 'CMD' or 'CMD-SHELL'");
    return false;
  }
  return true;
}

// Docker refuses sub-millisecond intervals (other than 0, "use the default").
std::optional<Duration> read_hc_duration(ServiceDraft& d, const Node& v, const std::string& p) {
  auto dur = read_duration(v, p, *d.diags);
  if (dur && dur->count() != 0 && *dur < std::chrono::milliseconds(1)) {
    d.error(v, p, "must be at least 1ms");
    return std::nullopt;
  }
  return dur;
}

}  // namespace

void read_health_on_failure(ServiceDraft& d, const Node& v, const std::string& p) {
  using Action = Service::HealthAction;
  static constexpr std::pair<std::string_view, Action> kActions[] = {
      {"none", Action::none}, {"kill", Action::kill}, {"restart", Action::restart}, {"stop", Action::stop}};
  auto text = read_string(v, p, *d.diags);
  if (!text) return;
  for (const auto& [name, action] : kActions) {
    if (*text == name) {
      d.service.health_on_failure = action;
      return;
    }
  }
  d.error(v, p, "'" + *text + "' is not an action: use none, kill, restart or stop");
}

void read_healthcheck(ServiceDraft& d, const Node& v, const std::string& p) {
  static constexpr std::string_view kKeys[] = {"test",         "interval", "timeout", "start_period",
                                               "start_interval", "retries", "disable"};
  if (!expect_mapping(v, p, *d.diags)) return;
  check_keys(v, p, kKeys, *d.diags);
  Healthcheck hc;
  const Node* test = v.find("test");
  if (test && !test->is_null()) read_test(d, *test, join_path(p, "test"), hc);
  std::pair<std::string_view, std::optional<Duration> Healthcheck::*> durations[] = {
      {"interval", &Healthcheck::interval},
      {"timeout", &Healthcheck::timeout},
      {"start_period", &Healthcheck::start_period},
      {"start_interval", &Healthcheck::start_interval}};
  for (const auto& [key, field] : durations)
    if (const Node* n = v.find(key)) hc.*field = read_hc_duration(d, *n, join_path(p, key));
  if (const Node* n = v.find("retries")) {
    if (auto r = read_int(*n, join_path(p, "retries"), *d.diags, 0, 1 << 30)) hc.retries = int(*r);
  }
  if (const Node* n = v.find("disable")) {
    auto b = read_bool(*n, join_path(p, "disable"), *d.diags);
    if (b && *b && !hc.test.empty() && hc.test[0] != "NONE")
      d.error(*n, join_path(p, "disable"), "cannot be combined with a 'test'");
    if (b && *b) hc.disable = true;
  }
  d.service.healthcheck = std::move(hc);
}

namespace {

std::optional<Condition> parse_condition(std::string_view s) {
  if (s == "service_started") return Condition::service_started;
  if (s == "service_healthy") return Condition::service_healthy;
  if (s == "service_completed_successfully") return Condition::service_completed_successfully;
  return std::nullopt;
}

void read_dependency(ServiceDraft& d, const Node& key, const Node& v, const std::string& at) {
  Dependency dep{key.scalar, Condition::service_started, true, false, location_of(key, at)};
  if (!v.is_null()) {
    static constexpr std::string_view kKeys[] = {"condition", "required", "restart"};
    if (!expect_mapping(v, at, *d.diags)) return;
    check_keys(v, at, kKeys, *d.diags);
    if (const Node* n = v.find("condition")) {
      auto s = read_string(*n, join_path(at, "condition"), *d.diags);
      auto c = s ? parse_condition(*s) : std::nullopt;
      if (s && !c)
        d.error(*n, join_path(at, "condition"),
                "unknown condition '" + *s + "' (service_started, service_healthy or "
                "service_completed_successfully)");
      if (c) dep.condition = *c;
    }
    if (const Node* n = v.find("required"))
      dep.required = read_bool(*n, join_path(at, "required"), *d.diags).value_or(true);
    if (const Node* n = v.find("restart"))
      dep.restart = read_bool(*n, join_path(at, "restart"), *d.diags).value_or(false);
  }
  d.service.depends_on.push_back(std::move(dep));
}

}  // namespace

void read_depends_on(ServiceDraft& d, const Node& v, const std::string& p) {
  if (v.is_mapping()) {
    for (const auto& [k, val] : v.entries) read_dependency(d, k, val, join_path(p, k.scalar));
    return;
  }
  if (!v.is_sequence()) {
    type_error(v, p, "a list or a mapping", *d.diags);
    return;
  }
  for (size_t i = 0; i < v.items.size(); ++i) {
    const Node& item = v.items[i];
    std::string at = index_path(p, i);
    if (!read_string(item, at, *d.diags)) continue;
    auto dup = std::find_if(d.service.depends_on.begin(), d.service.depends_on.end(),
                            [&](const Dependency& x) { return x.service == item.scalar; });
    if (dup != d.service.depends_on.end()) {
      d.error(item, at, "'" + item.scalar + "' is listed twice");
      continue;
    }
    read_dependency(d, item, Node{}, join_path(p, item.scalar));
  }
}

namespace {

// Linux signal numbers 1..31 by name; 32 and 33 belong to the C library.
constexpr std::array<std::string_view, 32> kSignals{
    "",     "HUP",  "INT",    "QUIT", "ILL",  "TRAP", "ABRT", "BUS",  "FPE",   "KILL",   "USR1",
    "SEGV", "USR2", "PIPE",   "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
    "TTOU", "URG",  "XCPU",   "XFSZ", "VTALRM", "PROF", "WINCH", "IO",  "PWR",  "SYS"};
constexpr int kRtMin = 34, kRtMax = 64;

std::optional<std::string> signal_name(std::string text) {
  for (auto& c : text) c = char(std::toupper(static_cast<unsigned char>(c)));
  if (text.rfind("SIG", 0) == 0) text = text.substr(3);
  if (auto n = parse_int(text)) {
    if (*n >= 1 && *n < 32) return "SIG" + std::string(kSignals[size_t(*n)]);
    if (*n == kRtMin) return std::string("SIGRTMIN");
    if (*n > kRtMin && *n <= kRtMax) return "SIGRTMIN+" + std::to_string(*n - kRtMin);
    return std::nullopt;
  }
  if (text == "IOT") return std::string("SIGABRT");
  if (text == "POLL") return std::string("SIGIO");
  if (std::find(kSignals.begin() + 1, kSignals.end(), text) != kSignals.end()) return "SIG" + text;
  for (std::string_view base : {"RTMIN", "RTMAX"}) {
    if (text == base) return "SIG" + text;
    if (text.rfind(base, 0) != 0 || text.size() < base.size() + 2) continue;
    char sign = text[base.size()];
    auto off = parse_int(text.substr(base.size() + 1));
    bool ok = off && *off >= 1 && *off <= kRtMax - kRtMin &&
              ((base == "RTMIN" && sign == '+') || (base == "RTMAX" && sign == '-'));
    if (ok) return "SIG" + text;
  }
  return std::nullopt;
}

}  // namespace

void read_stop_signal(ServiceDraft& d, const Node& v, const std::string& p) {
  auto s = read_string(v, p, *d.diags);
  if (!s) return;
  auto name = signal_name(*s);
  if (!name) d.error(v, p, "\"" + *s + "\" is not a valid signal");
  else d.service.stop_signal = *name;
}

namespace {

// daily, weekly, every_<n><unit>... with units w, d, h, m, s, as compose reads them; nullopt for
// anything else (and for a window of zero).
std::optional<std::chrono::seconds> refresh_window(std::string_view text) {
  if (text == "daily") return std::chrono::hours(24);
  if (text == "weekly") return std::chrono::hours(24 * 7);
  if (!text.starts_with("every_")) return std::nullopt;
  text.remove_prefix(6);
  int64_t total = 0;
  if (text.empty()) return std::nullopt;
  while (!text.empty()) {
    size_t digits = 0;
    int64_t n = 0;
    while (digits < text.size() && digits < 9 && text[digits] >= '0' && text[digits] <= '9') n = n * 10 + (text[digits++] - '0');
    if (digits == 0 || digits == text.size()) return std::nullopt;
    int64_t unit = 0;
    switch (text[digits]) {
      case 'w': unit = 7 * 86400; break;
      case 'd': unit = 86400; break;
      case 'h': unit = 3600; break;
      case 'm': unit = 60; break;
      case 's': unit = 1; break;
      default: return std::nullopt;
    }
    total += n * unit;
    text.remove_prefix(digits + 1);
  }
  if (total <= 0) return std::nullopt;
  return std::chrono::seconds(total);
}

}  // namespace

void read_pull_policy(ServiceDraft& d, const Node& v, const std::string& p) {
  auto s = read_string(v, p, *d.diags);
  if (!s) return;
  if (*s == "always") d.service.pull_policy = PullPolicy::always;
  else if (*s == "missing" || *s == "if_not_present") d.service.pull_policy = PullPolicy::missing;
  else if (*s == "never") d.service.pull_policy = PullPolicy::never;
  else if (*s == "build") d.service.pull_policy = PullPolicy::build;
  else if (auto window = refresh_window(*s)) {
    d.service.pull_policy = PullPolicy::refresh;
    d.service.pull_refresh = *window;
  } else if (s->starts_with("every_"))
    d.error(v, p, "'" + *s + "': expected every_ and a duration in w, d, h, m and s (every_12h, every_1w2d)");
  else
    d.error(v, p, "unknown pull policy '" + *s + "' (always, missing, never, build, daily, weekly or every_<duration>)");
}

}  // namespace stack::spec
