// Shared fixture for the kube tests: a stack from YAML text (read and normalised as `stack`
// does, project "demo" in /srv/app), exported with an in-memory FileSource, and look-ups of the
// objects and warnings of the result.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "kube/generate.hpp"
#include "spec/normalize.hpp"
#include "spec/reader.hpp"

namespace stack::kube::testing {

using nlohmann::json;

// Files and directories by absolute path; a directory is listed by its direct children.
class FakeFiles final : public FileSource {
 public:
  FakeFiles& file(const std::string& path, std::string text) {
    files_[path] = std::move(text);
    return *this;
  }
  std::optional<FileInfo> stat(const std::string& path) const override {
    if (auto it = files_.find(path); it != files_.end())
      return FileInfo{FileInfo::Kind::file, it->second.size()};
    for (const auto& [name, text] : files_)
      if (name.rfind(path + "/", 0) == 0) return FileInfo{FileInfo::Kind::directory, 0};
    return std::nullopt;
  }
  util::Result<std::string> read(const std::string& path) const override {
    auto it = files_.find(path);
    if (it == files_.end()) return util::fail(util::Errc::not_found, "no '" + path + "'");
    return it->second;
  }
  util::Result<std::vector<std::string>> list(const std::string& path) const override {
    std::vector<std::string> names;
    for (const auto& [name, text] : files_) {
      if (name.rfind(path + "/", 0) != 0) continue;
      std::string rest = name.substr(path.size() + 1);
      std::string child = rest.substr(0, rest.find('/'));
      if (names.empty() || names.back() != child) names.push_back(child);
    }
    return names;
  }

 private:
  std::map<std::string, std::string> files_;
};

// `environment` is the project's (what `environment:` secrets and configs read).
inline spec::Stack stack_of(std::string_view yaml, spec::Environment environment = {}) {
  spec::NormalizeContext ctx;
  ctx.project_name = "demo";
  ctx.working_dir = "/srv/app";
  ctx.environment = std::move(environment);
  spec::Diagnostics diags;
  auto root = spec::read_yaml(yaml, "stack.yaml", diags);
  std::optional<spec::Stack> stack;
  if (root) stack = spec::normalize(*root, ctx, diags);
  if (!stack || !diags.empty()) throw std::runtime_error("bad test stack: " + diags.format());
  return *stack;
}

inline Export exported(const spec::Stack& stack, const Options& options = {},
                       const FakeFiles& files = {}) {
  auto result = generate(stack, options, files);
  if (!result) throw std::runtime_error("generate failed: " + result.error().message());
  return std::move(*result);
}

inline Export exported(std::string_view yaml, const Options& options = {},
                       const FakeFiles& files = {}) {
  return exported(stack_of(yaml), options, files);
}

inline const json* find(const Export& e, std::string_view kind, std::string_view name) {
  for (const Object& o : e.objects)
    if (o.kind == kind && o.name == name) return &o.body;
  return nullptr;
}

inline const json& object(const Export& e, std::string_view kind, std::string_view name) {
  const json* body = find(e, kind, name);
  if (body == nullptr)
    throw std::runtime_error("no " + std::string(kind) + " '" + std::string(name) + "'");
  return *body;
}

// The first (main) container of a Deployment's or Job's pod template.
inline const json& pod(const Export& e, std::string_view kind, std::string_view name) {
  return object(e, kind, name)["spec"]["template"]["spec"];
}
inline const json& container(const Export& e, std::string_view name, std::string_view kind = "Deployment") {
  return pod(e, kind, name)["containers"][0];
}

// True when a warning has this path and its message contains `part`.
inline bool warned(const Export& e, std::string_view path, std::string_view part) {
  for (const Warning& w : e.warnings)
    if (w.path == path && w.message.find(part) != std::string::npos) return true;
  return false;
}

inline std::string all_warnings(const Export& e) {
  std::string text;
  for (const Warning& w : e.warnings) text += to_string(w) + "\n";
  return text;
}

}  // namespace stack::kube::testing
