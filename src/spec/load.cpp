#include "spec/load.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "spec/dotenv.hpp"
#include "spec/extends.hpp"
#include "spec/include.hpp"
#include "spec/interpolate.hpp"
#include "spec/merge.hpp"
#include "spec/normalize.hpp"
#include "spec/reader.hpp"
#include "spec/validate.hpp"

extern char** environ;

namespace stack::spec {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDefaultFiles[] = {"stack.yaml",   "stack.yml",
                                         "compose.yaml", "compose.yml",
                                         "docker-compose.yaml", "docker-compose.yml"};

Mark mark_for(const std::string& file) { return Mark{std::make_shared<const std::string>(file)}; }

std::string absolute_dir(const std::string& dir) {
  std::error_code ec;
  fs::path p = dir.empty() ? fs::current_path(ec) : fs::absolute(dir, ec);
  return p.lexically_normal().string();
}

// The stack files in order: -f as given, else the first default name found in working_dir.
std::vector<std::string> resolve_files(const LoadOptions& options, Diagnostics& diags) {
  std::vector<std::string> files;
  if (!options.files.empty()) {
    std::string cwd = absolute_dir("");  // -f paths are relative to the current directory
    for (const auto& f : options.files) {
      if (f == "-") {
        files.push_back("/dev/stdin");
        continue;
      }
      fs::path p(f);
      files.push_back(p.is_absolute() ? f : (fs::path(cwd) / p).lexically_normal().string());
    }
    return files;
  }
  std::string dir = absolute_dir(options.working_dir);
  for (const char* name : kDefaultFiles) {
    fs::path p = fs::path(dir) / name;
    std::error_code ec;
    if (fs::exists(p, ec)) return {p.string()};
  }
  diags.error(mark_for(dir), "", "no stack file found (looked for stack.yaml, compose.yaml, "
                                 "docker-compose.yml and their .yml/.yaml variants)");
  return {};
}

// Interpolation sees the shell environment over the env files (.env by default).
Environment interpolation_environment(const LoadOptions& options, const std::string& project_dir,
                                      Diagnostics& diags) {
  Environment env;
  if (options.env_files.empty()) {
    std::string dot_env = (fs::path(project_dir) / ".env").string();
    if (auto values = read_dotenv_file(dot_env, options.environment, false, diags)) env = *values;
  } else {
    for (const auto& file : options.env_files) {
      fs::path p(file);
      std::string path = p.is_absolute() ? file : (fs::path(absolute_dir("")) / p).string();
      Environment lookup = env;
      for (const auto& [k, v] : options.environment) lookup[k] = v;
      if (auto values = read_dotenv_file(path, lookup, true, diags))
        for (auto& [k, v] : *values) env[k] = v;
    }
  }
  for (const auto& [k, v] : options.environment) env[k] = v;
  return env;
}

bool valid_project_name(std::string_view name) {
  if (name.empty() || !(std::islower(static_cast<unsigned char>(name[0])) ||
                        std::isdigit(static_cast<unsigned char>(name[0]))))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// A directory name made into a valid project name, as compose does: lower case, other
// characters dropped.
std::string project_name_from_dir(const std::string& dir) {
  std::string out;
  for (char c : fs::path(dir).filename().string()) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::islower(static_cast<unsigned char>(l)) || std::isdigit(static_cast<unsigned char>(l)) ||
        ((l == '-' || l == '_') && !out.empty()))
      out += l;
  }
  return out.empty() ? "default" : out;
}

// -p, then COMPOSE_PROJECT_NAME, then the top-level name:, then the fallback or the project
// directory.
std::string project_name(const LoadOptions& options, const Environment& env, const Node& root,
                         const std::string& project_dir, Diagnostics& diags) {
  auto check = [&](const std::string& name, const Mark& mark, const std::string& what) {
    if (!valid_project_name(name))
      diags.error(mark, what, "'" + name + "' is not a valid project name: use lower-case "
                              "letters, digits, '-' and '_', starting with a letter or digit");
    return name;
  };
  if (!options.project_name.empty())
    return check(options.project_name, Mark{}, "project name (-p)");
  if (auto it = env.find("COMPOSE_PROJECT_NAME"); it != env.end() && !it->second.empty())
    return check(it->second, Mark{}, "COMPOSE_PROJECT_NAME");
  if (const Node* name = root.find("name"); name && name->is_scalar() && !name->scalar.empty())
    return check(name->scalar, name->mark, "name");
  if (!options.fallback_project_name.empty()) return project_name_from_dir(options.fallback_project_name);
  return project_name_from_dir(project_dir);
}

std::vector<std::string> active_profiles(const LoadOptions& options, const Environment& env) {
  if (!options.profiles.empty()) return options.profiles;
  std::vector<std::string> out;
  auto it = env.find("COMPOSE_PROFILES");
  if (it == env.end()) return out;
  std::string cur;
  for (char c : it->second + ",") {
    if (c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      cur += c;
    }
  }
  return out;
}

}  // namespace

LoadOutcome load(const LoadOptions& options) {
  LoadOutcome out;
  Diagnostics& diags = out.diagnostics;
  std::vector<std::string> files = resolve_files(options, diags);
  if (files.empty()) return out;

  // --project-directory, else the directory of the first file (compose's rule).
  std::string project_dir = !options.working_dir.empty() || files.front() == "/dev/stdin"
                                ? absolute_dir(options.working_dir)
                                : fs::path(files.front()).parent_path().string();
  Environment env = interpolation_environment(options, project_dir, diags);

  std::optional<Node> merged;
  std::set<std::string> warned;  // unset variables: one warning per name, as compose gives
  for (const auto& file : files) {
    std::optional<Node> doc = read_yaml_file(file, diags);
    if (!doc) continue;
    if (!doc->is_mapping() && !doc->is_null()) {
      diags.error(*doc, "", "a stack file must be a mapping at the top level, got " +
                                std::string(kind_name(*doc)));
      continue;
    }
    interpolate_tree(*doc, env, diags, &warned);
    // compose's order: includes first, so that an extended service may come from one.
    apply_include(*doc, file, project_dir, IncludeContext{&env, &diags, &warned, {}});
    apply_extends(*doc, file, project_dir, ExtendsContext{&env, &diags, &warned});
    merged = merged ? merge_stack_files(std::move(*merged), *doc) : std::move(*doc);
  }
  if (!diags.empty() || !merged) return out;

  NormalizeContext ctx;
  ctx.project_name = project_name(options, env, *merged, project_dir, diags);
  ctx.working_dir = project_dir;
  ctx.profiles = active_profiles(options, env);
  ctx.environment = env;
  if (!diags.empty()) return out;

  std::optional<Stack> stack = normalize(*merged, ctx, diags);
  if (!stack || !diags.empty()) return out;
  stack->files = files;
  validate(*stack, diags);
  if (diags.empty()) out.stack = std::move(stack);
  return out;
}

Environment process_environment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

}  // namespace stack::spec
