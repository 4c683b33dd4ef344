#include "spec/include.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "spec/dotenv.hpp"
#include "spec/extends.hpp"
#include "spec/field_reader.hpp"
#include "spec/interpolate.hpp"
#include "spec/merge.hpp"
#include "spec/reader.hpp"
#include "spec/relative_paths.hpp"

namespace stack::spec {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSections[] = {"services", "networks", "volumes", "secrets", "configs"};

struct Entry {
  std::vector<std::string> paths;  // absolute; the first is the main file
  std::string project_dir;         // absolute
  std::vector<std::string> env_files;
  bool env_files_given = false;
};

std::string absolute_in(const std::string& dir, const std::string& path) {
  return (fs::path(dir) / path).lexically_normal().string();
}

std::optional<std::vector<std::string>> read_paths(const Node& v, const std::string& at,
                                                   Diagnostics& diags) {
  auto list = read_string_list(v, at, diags, true);
  if (!list) return std::nullopt;
  if (list->empty() || std::any_of(list->begin(), list->end(), [](auto& s) { return s.empty(); })) {
    diags.error(v, at, "must name a file");
    return std::nullopt;
  }
  return list;
}

std::optional<Entry> read_entry(const Node& item, const std::string& at, const std::string& dir,
                                Diagnostics& diags) {
  Entry e;
  if (item.is_scalar()) {
    auto paths = read_paths(item, at, diags);
    if (!paths) return std::nullopt;
    e.paths = *paths;
  } else if (item.is_mapping()) {
    static constexpr std::string_view kKeys[] = {"path", "project_directory", "env_file"};
    check_keys(item, at, kKeys, diags);
    const Node* path = item.find("path");
    if (!path) {
      diags.error(item, at, "missing 'path'");
      return std::nullopt;
    }
    auto paths = read_paths(*path, join_path(at, "path"), diags);
    if (!paths) return std::nullopt;
    e.paths = *paths;
    if (const Node* p = item.find("project_directory"); p && !p->is_null()) {
      auto s = read_string(*p, join_path(at, "project_directory"), diags);
      if (!s) return std::nullopt;
      e.project_dir = absolute_in(dir, *s);
    }
    if (const Node* f = item.find("env_file"); f && !f->is_null()) {
      auto files = read_string_list(*f, join_path(at, "env_file"), diags, true);
      if (!files) return std::nullopt;
      for (const auto& file : *files) e.env_files.push_back(absolute_in(dir, file));
      e.env_files_given = true;
    }
  } else {
    type_error(item, at, "a path or a mapping", diags);
    return std::nullopt;
  }
  for (auto& p : e.paths) p = absolute_in(dir, p);
  if (e.project_dir.empty()) e.project_dir = fs::path(e.paths.front()).parent_path().string();
  if (!e.env_files_given) {
    struct stat st {};
    std::string dot_env = absolute_in(e.project_dir, ".env");
    if (::stat(dot_env.c_str(), &st) == 0 && S_ISREG(st.st_mode)) e.env_files.push_back(dot_env);
  }
  return e;
}

// The including environment, with the values of the entry's env files it does not set.
std::optional<Environment> entry_environment(const Entry& e, const Node& at, const std::string& path,
                                             const Environment& outer, Diagnostics& diags) {
  Environment env = outer;
  for (const auto& file : e.env_files) {
    auto values = read_named_dotenv_file(file, env, true, at, path, diags);
    if (!values) return std::nullopt;
    for (auto& [k, v] : *values) env.emplace(k, v);
  }
  return env;
}

std::string cycle_text(const std::vector<std::string>& chain, const std::string& again) {
  std::string out = "include cycle: " + fs::path(chain.front()).filename().string();
  for (size_t i = 1; i < chain.size(); ++i) out += " includes " + fs::path(chain[i]).filename().string();
  return out + " includes " + fs::path(again).filename().string();
}

// The included project: its files read, interpolated and merged, with includes and extends
// applied and relative paths made absolute. nullopt after an error.
std::optional<Node> load_entry(const Entry& e, const Node& at, const std::string& path,
                               const IncludeContext& ctx) {
  Diagnostics& diags = *ctx.diags;
  if (std::find(ctx.chain.begin(), ctx.chain.end(), e.paths.front()) != ctx.chain.end()) {
    diags.error(at, path, cycle_text(ctx.chain, e.paths.front()));
    return std::nullopt;
  }
  auto env = entry_environment(e, at, path, *ctx.environment, diags);
  if (!env) return std::nullopt;
  IncludeContext inner{&*env, ctx.diags, ctx.warned, ctx.chain};
  std::optional<Node> merged;
  for (const auto& file : e.paths) {
    size_t before = diags.size();
    std::optional<Node> doc = read_named_yaml_file(file, at, path, diags);
    if (!doc) continue;
    interpolate_tree(*doc, *env, diags, ctx.warned);
    apply_include(*doc, file, e.project_dir, inner);
    apply_extends(*doc, file, e.project_dir, ExtendsContext{&*env, ctx.diags, ctx.warned});
    if (diags.size() != before) continue;
    merged = merged ? merge_stack_files(std::move(*merged), *doc) : std::move(*doc);
  }
  if (!merged) return std::nullopt;
  absolutize_file_paths(*merged, e.project_dir);
  return merged;
}

// Adds the included resources to root; one root already has is merged over the included one.
void import_resources(Node& root, const Node& included) {
  for (std::string_view section : kSections) {
    const Node* from = included.find(section);
    if (!from || !from->is_mapping()) continue;
    Node* to = root.find(section);
    if (!to || to->is_null()) {
      root.set(std::string(section), Node::make_mapping(from->mark));
      to = root.find(section);
    }
    if (!to->is_mapping()) continue;  // a type error that normalize reports
    for (const auto& [key, value] : from->entries) {
      Node* mine = to->find(key.scalar);
      if (!mine)
        to->entries.emplace_back(key, value);
      else
        *mine = merge_entry(section, value, *mine);
    }
  }
}

}  // namespace

void apply_include(Node& root, const std::string& file, const std::string& dir,
                   const IncludeContext& ctx) {
  if (!root.is_mapping()) return;
  const Node* list = root.find("include");
  if (!list) return;
  Node entries = *list;  // root changes as resources are imported
  root.entries.erase(std::find_if(root.entries.begin(), root.entries.end(),
                                  [](const auto& e) { return e.first.scalar == "include"; }));
  if (entries.is_null()) return;
  if (!expect_sequence(entries, "include", *ctx.diags)) return;
  IncludeContext here = ctx;
  here.chain.push_back(file);
  for (size_t i = 0; i < entries.items.size(); ++i) {
    const Node& item = entries.items[i];
    std::string at = index_path("include", i);
    std::optional<Entry> entry = read_entry(item, at, dir, *ctx.diags);
    if (!entry) continue;
    if (std::optional<Node> included = load_entry(*entry, item, at, here))
      import_resources(root, *included);
  }
}

}  // namespace stack::spec
