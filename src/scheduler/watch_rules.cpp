#include "scheduler/watch_rules.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace stack::scheduler {

namespace {

// Editors' and tools' temporary files (compose's ephemeral list) and version control data: a
// save in vim or an IDE must not trigger a sync of its swap file.
constexpr std::string_view kEditorPatterns =
    "**/*___jb_old___\n**/*___jb_tmp___\n**/.idea\n**/.#*\n**/#*#\n**/4913\n**/*~\n**/.*.swp\n"
    "**/.*.swx\n**/.*.swo\n**/.*.swn\n**/.*.kate-swp\n**/*-go-tmp-umask\n**/.git\n";

util::Result<build::IgnoreRules> watch_patterns(const std::vector<std::string>& patterns, const std::string& label) {
  std::string text;
  for (const std::string& p : patterns) text += p + "\n";
  return build::IgnoreRules::parse(text, label);
}

}  // namespace

std::optional<std::string> path_below(std::string_view base, std::string_view path) {
  while (base.size() > 1 && base.back() == '/') base.remove_suffix(1);
  if (path == base) return ".";
  if (base == "/") {
    if (!path.starts_with('/') || path.size() < 2) return std::nullopt;
    return std::string(path.substr(1));
  }
  if (!path.starts_with(base) || path.size() <= base.size() || path[base.size()] != '/') return std::nullopt;
  return std::string(path.substr(base.size() + 1));
}

util::Result<WatchMatcher> WatchMatcher::make(const spec::Service& service, size_t rule_index,
                                              const build::IgnoreRules* dockerignore) {
  WatchMatcher m;
  m.service_ = service.name;
  m.rule_index_ = rule_index;
  m.rule_ = service.watch.at(rule_index);
  const std::string at = "services." + service.name + ".develop.watch[" + std::to_string(rule_index) + "]";
  if (dockerignore && service.build) {
    m.dockerignore_ = *dockerignore;
    m.context_ = service.build->context;
  }
  STACK_ASSIGN_OR_RETURN(m.editor_, build::IgnoreRules::parse(kEditorPatterns, "editor patterns"));
  STACK_ASSIGN_OR_RETURN(m.ignore_, watch_patterns(m.rule_.ignore, at + ".ignore"));
  STACK_ASSIGN_OR_RETURN(m.include_, watch_patterns(m.rule_.include, at + ".include"));
  return m;
}

bool WatchMatcher::ignored(std::string_view host_path) const {
  std::optional<std::string> rel = path_below(rule_.path, host_path);
  if (!rel) return true;
  if (*rel != ".") {
    if (editor_.excluded(*rel) || ignore_.excluded(*rel)) return true;
    if (!include_.empty() && !include_.excluded(*rel)) return true;
  }
  if (!context_.empty()) {
    std::optional<std::string> in_context = path_below(context_, host_path);
    if (in_context && *in_context != "." && dockerignore_.excluded(*in_context)) return true;
  }
  return false;
}

std::optional<std::string> WatchMatcher::map(std::string_view host_path) const {
  if (ignored(host_path)) return std::nullopt;
  if (rule_.target.empty()) return std::string();
  std::string rel = *path_below(rule_.path, host_path);
  if (rel == ".") return rule_.target;
  return rule_.target == "/" ? "/" + rel : rule_.target + "/" + rel;
}

std::vector<ServiceWatchPlan> plan_watch_batch(const std::vector<WatchMatcher>& rules,
                                               const std::vector<std::string>& changed) {
  using Action = spec::WatchRule::Action;
  std::map<std::string, ServiceWatchPlan> plans;
  for (const std::string& path : changed) {
    std::map<std::string, bool> took;  // service -> a rule of it took this path
    for (const WatchMatcher& m : rules) {
      std::optional<std::string> target = m.map(path);
      if (!target) continue;
      ServiceWatchPlan& plan = plans[m.service()];
      plan.service = m.service();
      took[m.service()] = true;
      Action a = m.rule().action;
      if (a == Action::rebuild) plan.rebuild = true;
      if (a == Action::restart || a == Action::sync_restart) plan.restart = true;
      if (a == Action::sync || a == Action::sync_restart || a == Action::sync_exec)
        plan.sync.push_back({path, *target, m.rule_index()});
      if (a == Action::sync_exec) plan.exec_rules.push_back(m.rule_index());
    }
    for (const auto& [service, yes] : took) plans[service].changes += yes ? 1 : 0;
  }
  std::vector<ServiceWatchPlan> out;
  for (auto& [name, plan] : plans) {
    auto by_host = [](const SyncPath& a, const SyncPath& b) {
      return std::tie(a.host, a.container, a.rule) < std::tie(b.host, b.container, b.rule);
    };
    std::sort(plan.sync.begin(), plan.sync.end(), by_host);
    plan.sync.erase(std::unique(plan.sync.begin(), plan.sync.end()), plan.sync.end());
    std::sort(plan.exec_rules.begin(), plan.exec_rules.end());
    plan.exec_rules.erase(std::unique(plan.exec_rules.begin(), plan.exec_rules.end()), plan.exec_rules.end());
    out.push_back(std::move(plan));
  }
  return out;
}

void ChangeBatch::add(std::string path, Clock::time_point now) {
  paths_.push_back(std::move(path));
  last_ = now;
}

std::optional<ChangeBatch::Clock::time_point> ChangeBatch::due() const {
  if (paths_.empty()) return std::nullopt;
  return last_ + quiet_;
}

std::vector<std::string> ChangeBatch::take(Clock::time_point now) {
  if (paths_.empty() || now < last_ + quiet_) return {};
  std::vector<std::string> out = std::move(paths_);
  paths_.clear();
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace stack::scheduler
