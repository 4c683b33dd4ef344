#include "spec/relative_paths.hpp"

#include <filesystem>
#include <string_view>

#include "util/git_url.hpp"

namespace stack::spec {

namespace {

std::string absolute(const std::string& dir, std::string_view path) {
  return (std::filesystem::path(dir) / path).lexically_normal().string();
}

// A relative host path: not absolute, not "~" (the user's home), not a URL nor a git repository
// (a build context: `user@host:repo.git` has no "://").
bool is_relative(std::string_view path) {
  return !path.empty() && path[0] != '/' && path[0] != '~' &&
         path.find("://") == std::string_view::npos && !path.starts_with("git@") && !util::is_git_source(path);
}

// A path, or an `oci-layout://PATH[:TAG][@DIGEST]` context whose PATH is relative.
std::string absolutized(const std::string& value, const std::string& dir) {
  constexpr std::string_view kLayout = "oci-layout://";
  if (value.starts_with(kLayout)) {
    std::string_view rest = std::string_view(value).substr(kLayout.size());
    return is_relative(rest) ? std::string(kLayout) + absolute(dir, rest) : value;
  }
  return is_relative(value) ? absolute(dir, value) : value;
}

void absolutize_scalar(Node& node, const std::string& dir) {
  if (node.is_scalar() && is_relative(node.scalar)) node.scalar = absolute(dir, node.scalar);
}

// "./src:/dst[:opts]": only a source starting with '.' is a path; a bare word names a volume.
void absolutize_short_volume(Node& item, const std::string& dir) {
  std::string_view text = item.scalar;
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || !text.starts_with('.')) return;
  item.scalar = absolute(dir, text.substr(0, colon)) + std::string(text.substr(colon));
}

void absolutize_volumes(Node& volumes, const std::string& dir) {
  if (!volumes.is_sequence()) return;
  for (Node& item : volumes.items) {
    if (item.is_scalar()) {
      absolutize_short_volume(item, dir);
    } else if (item.is_mapping()) {
      const Node* type = item.find("type");
      Node* source = item.find("source");
      if (type && type->is_scalar() && type->scalar == "bind" && source) absolutize_scalar(*source, dir);
    }
  }
}

void absolutize_env_files(Node& env_file, const std::string& dir) {
  if (env_file.is_scalar()) return absolutize_scalar(env_file, dir);
  if (!env_file.is_sequence()) return;
  for (Node& item : env_file.items) {
    if (item.is_scalar()) absolutize_scalar(item, dir);
    else if (Node* path = item.is_mapping() ? item.find("path") : nullptr) absolutize_scalar(*path, dir);
  }
}

// additional_contexts: the directories among NAME: VALUE or "NAME=VALUE" (not service:NAME), and
// an oci-layout:// context's directory; also build.ssh's sockets, written the same way.
void absolutize_named_contexts(Node& contexts, const std::string& dir) {
  for (auto& [k, value] : contexts.entries) {
    if (value.is_scalar() && !value.scalar.starts_with("service:")) value.scalar = absolutized(value.scalar, dir);
  }
  for (Node& item : contexts.items) {
    size_t eq = item.is_scalar() ? item.scalar.find('=') : std::string::npos;
    if (eq == std::string::npos) continue;
    std::string value = item.scalar.substr(eq + 1);
    if (!value.starts_with("service:")) item.scalar = item.scalar.substr(0, eq + 1) + absolutized(value, dir);
  }
}

// A mapping without a context means ".": that file's directory, made explicit here.
void absolutize_build(Node& build, const std::string& dir) {
  if (build.is_scalar()) return absolutize_scalar(build, dir);
  if (!build.is_mapping()) return;
  if (Node* contexts = build.find("additional_contexts")) absolutize_named_contexts(*contexts, dir);
  if (Node* ssh = build.find("ssh")) absolutize_named_contexts(*ssh, dir);  // ID=SOCKET, ID: SOCKET
  Node* context = build.find("context");
  if (context && !context->is_null()) return absolutize_scalar(*context, dir);
  build.set("context", Node::make_scalar(dir, build.mark));
}

// develop.watch[].path: relative to the file that wrote it.
void absolutize_watch_paths(Node& develop, const std::string& dir) {
  Node* watch = develop.is_mapping() ? develop.find("watch") : nullptr;
  if (!watch || !watch->is_sequence()) return;
  for (Node& item : watch->items)
    if (Node* path = item.is_mapping() ? item.find("path") : nullptr) absolutize_scalar(*path, dir);
}

}  // namespace

void absolutize_service_paths(Node& service, const std::string& dir) {
  if (!service.is_mapping()) return;
  if (Node* n = service.find("develop")) absolutize_watch_paths(*n, dir);
  if (Node* n = service.find("volumes")) absolutize_volumes(*n, dir);
  if (Node* n = service.find("env_file")) absolutize_env_files(*n, dir);
  if (Node* n = service.find("build")) absolutize_build(*n, dir);
}

void absolutize_file_paths(Node& root, const std::string& dir) {
  if (!root.is_mapping()) return;
  if (Node* services = root.find("services"); services && services->is_mapping())
    for (auto& [name, service] : services->entries) absolutize_service_paths(service, dir);
  for (std::string_view section : {"secrets", "configs"}) {
    Node* entries = root.find(section);
    if (!entries || !entries->is_mapping()) continue;
    for (auto& [name, entry] : entries->entries)
      if (Node* file = entry.is_mapping() ? entry.find("file") : nullptr) absolutize_scalar(*file, dir);
  }
}

}  // namespace stack::spec
