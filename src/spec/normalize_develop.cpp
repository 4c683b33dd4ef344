// develop: {watch: [{path, action, target, ignore, include, initial_sync, exec}]}, the rules of
// `stack watch` as compose reads them: path relative to the project directory, a target for the
// sync actions, exec (a hook, as post_start) for sync+exec only, rebuild only with build.
#include <array>
#include <filesystem>

#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"

namespace stack::spec {

namespace {

constexpr std::array<std::pair<std::string_view, WatchRule::Action>, 5> kWatchActions{{
    {"sync", WatchRule::Action::sync},
    {"rebuild", WatchRule::Action::rebuild},
    {"sync+restart", WatchRule::Action::sync_restart},
    {"restart", WatchRule::Action::restart},
    {"sync+exec", WatchRule::Action::sync_exec},
}};

bool syncs(WatchRule::Action a) {
  return a == WatchRule::Action::sync || a == WatchRule::Action::sync_restart || a == WatchRule::Action::sync_exec;
}

std::string watch_host_path(const std::string& base, const std::string& path) {
  std::string out = (std::filesystem::path(base) / path).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// A target is where compose's copy lands from the container's "/": a relative one is below "/".
std::string watch_target_path(const std::string& target) {
  return clean_container_path(target.front() == '/' ? target : "/" + target);
}

bool read_watch_action(ServiceDraft& d, const Node& n, const std::string& at, WatchRule& rule) {
  auto text = read_string(n, at, *d.diags);
  if (!text) return false;
  for (const auto& [name, action] : kWatchActions) {
    if (*text == name) {
      rule.action = action;
      return true;
    }
  }
  d.error(n, at, "'" + *text + "' is not an action (sync, rebuild, sync+restart, restart or sync+exec)");
  return false;
}

void read_watch_rule(ServiceDraft& d, const Node& v, const std::string& at) {
  static constexpr std::string_view kKeys[] = {"path", "action", "target", "ignore", "include", "initial_sync", "exec"};
  if (!expect_mapping(v, at, *d.diags)) return;
  check_keys(v, at, kKeys, *d.diags);
  WatchRule rule;
  rule.location = location_of(v, at);
  bool ok = true;
  const Node* path = v.find("path");
  const Node* action = v.find("action");
  if (path == nullptr || path->is_null()) {
    d.error(v, at, "missing 'path'");
    ok = false;
  } else if (auto text = read_string(*path, join_path(at, "path"), *d.diags); !text || text->empty()) {
    if (text) d.error(*path, join_path(at, "path"), "must not be empty");
    ok = false;
  } else {
    rule.path = watch_host_path(d.ctx->working_dir, *text);
  }
  if (action == nullptr || action->is_null()) {
    d.error(v, at, "missing 'action'");
    ok = false;
  } else {
    ok = read_watch_action(d, *action, join_path(at, "action"), rule) && ok;
  }
  if (const Node* n = v.find("target"); n && !n->is_null()) {
    auto text = read_string(*n, join_path(at, "target"), *d.diags);
    if (text && !text->empty()) rule.target = watch_target_path(*text);
    ok = ok && text.has_value();
  }
  for (auto [key, list] : {std::pair{"ignore", &rule.ignore}, std::pair{"include", &rule.include}}) {
    const Node* n = v.find(key);
    if (n == nullptr || n->is_null()) continue;
    auto patterns = read_string_list(*n, join_path(at, key), *d.diags, true);
    if (patterns) *list = std::move(*patterns);
    ok = ok && patterns.has_value();
  }
  if (const Node* n = v.find("initial_sync")) {
    auto flag = read_bool(*n, join_path(at, "initial_sync"), *d.diags);
    rule.initial_sync = flag.value_or(false);
    ok = ok && flag.has_value();
  }
  if (const Node* n = v.find("exec"); n && !n->is_null()) {
    rule.exec = read_hook(d, *n, join_path(at, "exec"));
    ok = ok && rule.exec.has_value();
  }
  if (!ok) return;
  if (syncs(rule.action) && rule.target.empty()) {
    d.error(v, at, "action '" + std::string(to_string(rule.action)) + "' needs a 'target'");
    return;
  }
  if (!syncs(rule.action) && !rule.target.empty()) {
    d.error(*v.find("target"), join_path(at, "target"), "only the sync actions copy to a target");
    return;
  }
  if (rule.action == WatchRule::Action::sync_exec && !rule.exec) {
    d.error(v, at, "action 'sync+exec' needs 'exec'");
    return;
  }
  if (rule.action != WatchRule::Action::sync_exec && rule.exec) {
    d.error(*v.find("exec"), join_path(at, "exec"), "only with action 'sync+exec'");
    return;
  }
  if (rule.initial_sync && !syncs(rule.action)) {
    d.error(*v.find("initial_sync"), join_path(at, "initial_sync"), "only with a sync action");
    return;
  }
  if (rule.action == WatchRule::Action::rebuild) d.rebuild_rules.emplace_back(action, join_path(at, "action"));
  d.service.watch.push_back(std::move(rule));
}

}  // namespace

void read_develop(ServiceDraft& d, const Node& v, const std::string& p) {
  static constexpr std::string_view kKeys[] = {"watch"};
  if (!expect_mapping(v, p, *d.diags)) return;
  check_keys(v, p, kKeys, *d.diags);
  d.service.develop = true;
  const Node* watch = v.find("watch");
  if (watch == nullptr || watch->is_null()) return;
  std::string at = join_path(p, "watch");
  if (!expect_sequence(*watch, at, *d.diags)) return;
  for (size_t i = 0; i < watch->items.size(); ++i) read_watch_rule(d, watch->items[i], index_path(at, i));
}

void finish_develop(ServiceDraft& d) {
  if (d.service.build) return;
  for (const auto& [node, at] : d.rebuild_rules) d.error(*node, at, "'rebuild' needs the service's 'build'");
}

}  // namespace stack::spec
