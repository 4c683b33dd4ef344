// post_start and pre_stop: lists of {command, user, privileged, working_dir, environment}, the
// compose lifecycle hooks. The scheduler runs them (scheduler/hooks.hpp).
#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"

namespace stack::spec {

std::optional<LifecycleHook> read_hook(ServiceDraft& d, const Node& v, const std::string& at) {
  static constexpr std::string_view kKeys[] = {"command", "user", "privileged", "working_dir", "environment"};
  if (!expect_mapping(v, at, *d.diags)) return std::nullopt;
  check_keys(v, at, kKeys, *d.diags);
  LifecycleHook hook;
  hook.location = location_of(v, at);
  const Node* command = v.find("command");
  if (command == nullptr) {
    d.error(v, at, "missing 'command'");
    return std::nullopt;
  }
  auto words = read_words(d, *command, join_path(at, "command"));
  if (!words) return std::nullopt;
  if (words->empty()) {
    d.error(*command, join_path(at, "command"), "is empty");
    return std::nullopt;
  }
  hook.command = std::move(*words);
  if (const Node* n = v.find("user")) hook.user = read_string(*n, join_path(at, "user"), *d.diags).value_or("");
  if (const Node* n = v.find("privileged")) {
    hook.privileged = read_bool(*n, join_path(at, "privileged"), *d.diags).value_or(false);
  }
  if (const Node* n = v.find("working_dir")) {
    auto dir = read_string(*n, join_path(at, "working_dir"), *d.diags);
    if (dir && !dir->empty() && dir->front() != '/') {
      d.error(*n, join_path(at, "working_dir"), "'" + *dir + "' is not an absolute path");
    } else if (dir) {
      hook.working_dir = *dir;
    }
  }
  if (const Node* n = v.find("environment")) {
    if (auto env = read_variables(d, *n, join_path(at, "environment"))) hook.environment = std::move(*env);
  }
  return hook;
}

void read_hooks(ServiceDraft& d, const Node& v, const std::string& p) {
  std::vector<LifecycleHook>& out = p.ends_with("post_start") ? d.service.post_start : d.service.pre_stop;
  if (!v.is_sequence()) {
    type_error(v, p, "a list", *d.diags);
    return;
  }
  for (size_t i = 0; i < v.items.size(); ++i) {
    if (auto hook = read_hook(d, v.items[i], index_path(p, i))) out.push_back(std::move(*hook));
  }
}

}  // namespace stack::spec
