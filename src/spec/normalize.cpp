// The top level of the stack file, profiles, and the assembly of the Stack. The per-area work is
// in normalize_*.cpp; this file decides which services are in the Stack at all.
#include "spec/normalize.hpp"

#include <algorithm>
#include <regex>

#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"

namespace stack::spec {

namespace {

// `include` is applied by load before the tree gets here.
constexpr std::string_view kTopKeys[] = {"version", "name",    "services", "networks", "volumes",
                                         "secrets", "configs", "models"};
constexpr std::string_view kTopUnsupported[] = {"models"};

void read_top_level(const Node& root, Diagnostics& diags) {
  check_keys(root, "", kTopKeys, diags);
  for (std::string_view k : kTopUnsupported)
    if (const Node* key = root.find_key(k)) diags.error(*key, std::string(k), *refusal(k));
  if (const Node* n = root.find("name"); n && !n->is_null()) {
    // The project name itself was settled by load; this only checks what the file says.
    static const std::regex kName("[a-z0-9][a-z0-9_-]*");
    auto s = read_string(*n, "name", diags);
    if (s && !std::regex_match(*s, kName))
      diags.error(*n, "name", "'" + *s + "' is not a valid project name (lower-case letters, "
                              "digits, '-' and '_', starting with a letter or digit)");
  }
  // version: is obsolete and ignored, as docker compose does; it must still be a scalar.
  if (const Node* n = root.find("version"); n && !n->is_null()) (void)read_string(*n, "version", diags);
}

bool profile_enabled(const Service& s, const std::vector<std::string>& active) {
  if (s.profiles.empty()) return true;
  for (const auto& p : s.profiles)
    for (const auto& a : active)
      if (a == "*" || a == p) return true;
  return false;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += i + 1 == names.size() ? " or " : ", ";
    out += "'" + names[i] + "'";
  }
  return out;
}

// Drops disabled services. A dependency on one is an error naming the profile to enable, unless
// the dependency is optional (required: false), in which case it is dropped with it.
std::vector<Service> apply_profiles(std::vector<Service> all, const NormalizeContext& ctx,
                                    Diagnostics& diags) {
  std::vector<Service> enabled, disabled;
  for (auto& s : all) (profile_enabled(s, ctx.profiles) ? enabled : disabled).push_back(std::move(s));
  for (auto& s : enabled) {
    std::vector<Dependency> kept;
    for (auto& dep : s.depends_on) {
      auto off = std::find_if(disabled.begin(), disabled.end(),
                              [&](const Service& x) { return x.name == dep.service; });
      if (off == disabled.end()) {
        kept.push_back(std::move(dep));
      } else if (dep.required) {
        diags.error(dep.location.mark, dep.location.path,
                    "service '" + dep.service + "' is not enabled: activate profile " +
                        quoted_list(off->profiles));
      }
    }
    s.depends_on = std::move(kept);
  }
  return enabled;
}

std::vector<Service> read_services(const Node& root, const NormalizeContext& ctx, Diagnostics& diags) {
  std::vector<Service> out;
  const Node* node = root.find("services");
  if (!node || node->is_null() || !expect_mapping(*node, "services", diags)) return out;
  for (const auto& [k, v] : node->entries) {
    if (k.scalar.rfind("x-", 0) == 0) continue;
    if (auto s = normalize_service(k, v, ctx, diags)) out.push_back(std::move(*s));
  }
  std::sort(out.begin(), out.end(), [](const Service& a, const Service& b) { return a.name < b.name; });
  return out;
}

bool uses_default_network(const std::vector<Service>& services) {
  for (const auto& s : services)
    for (const auto& n : s.networks)
      if (n.key == "default") return true;
  return false;
}

}  // namespace

std::optional<Stack> normalize(const Node& root, const NormalizeContext& ctx, Diagnostics& diags) {
  size_t before = diags.size();
  if (!root.is_mapping()) {
    type_error(root, "", "a mapping at the top level", diags);
    return std::nullopt;
  }
  read_top_level(root, diags);
  Stack stack;
  stack.name = ctx.project_name;
  stack.working_dir = ctx.working_dir;
  stack.services = apply_profiles(read_services(root, ctx, diags), ctx, diags);
  stack.networks = normalize_networks(root.find("networks"), ctx, diags);
  stack.volumes = normalize_volumes(root.find("volumes"), ctx, diags);
  stack.secrets = normalize_file_sources(root.find("secrets"), "secrets", ctx, diags);
  stack.configs = normalize_file_sources(root.find("configs"), "configs", ctx, diags);
  if (uses_default_network(stack.services) && !stack.find_network("default")) {
    stack.networks.push_back(default_network(ctx.project_name));
    std::sort(stack.networks.begin(), stack.networks.end(),
              [](const Network& a, const Network& b) { return a.key < b.key; });
  }
  if (diags.size() != before) return std::nullopt;
  return stack;
}

}  // namespace stack::spec
