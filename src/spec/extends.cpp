#include "spec/extends.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "spec/field_reader.hpp"
#include "spec/interpolate.hpp"
#include "spec/merge.hpp"
#include "spec/reader.hpp"
#include "spec/relative_paths.hpp"

namespace stack::spec {

namespace {

namespace fs = std::filesystem;

// A chain longer than this is refused before it can exhaust the stack.
constexpr size_t kMaxDepth = 64;

struct Ref {
  std::string file;
  std::string service;
  bool operator<(const Ref& o) const { return std::tie(file, service) < std::tie(o.file, o.service); }
  bool operator==(const Ref& o) const = default;
};

// What an `extends` names.
struct Target {
  std::string service;
  const Node* service_node = nullptr;  // where the name was written
  std::string file;                    // "" = the same file
  const Node* file_node = nullptr;
};

class Extender {
 public:
  explicit Extender(const ExtendsContext& ctx) : ctx_(ctx) {}

  void resolve_all(Node& services, const std::string& file, const std::string& dir) {
    for (auto& [key, value] : services.entries) resolve(services, file, dir, key.scalar, {});
  }

 private:
  Node* resolve(Node& services, const std::string& file, const std::string& dir,
                const std::string& name, std::vector<Ref> chain);
  Node* resolve_one(Node& service, Node& services, const Ref& self, const std::string& dir,
                    std::vector<Ref> chain);
  std::optional<Target> read_target(const Node& extends, const std::string& path);
  Node* services_of(const std::string& path, const Node& at, const std::string& key_path);
  std::string cycle_text(const std::vector<Ref>& chain, const Ref& again) const;

  const ExtendsContext& ctx_;
  std::map<std::string, std::unique_ptr<Node>> files_;  // extended files by path; null = unreadable
  std::set<Ref> done_;
  std::set<Ref> failed_;  // reported once: a cycle is one error, not one per service in it
};

std::optional<Target> Extender::read_target(const Node& extends, const std::string& path) {
  Diagnostics& diags = *ctx_.diags;
  Target t;
  if (extends.is_scalar()) {
    t.service = extends.scalar;
    t.service_node = &extends;
  } else if (extends.is_mapping()) {
    static constexpr std::string_view kKeys[] = {"service", "file"};
    check_keys(extends, path, kKeys, diags);
    const Node* service = extends.find("service");
    if (!service) {
      diags.error(extends, path, "missing 'service'");
      return std::nullopt;
    }
    auto name = read_string(*service, join_path(path, "service"), diags);
    if (!name) return std::nullopt;
    t.service = *name;
    t.service_node = service;
    if (const Node* file = extends.find("file"); file && !file->is_null()) {
      auto f = read_string(*file, join_path(path, "file"), diags);
      if (!f) return std::nullopt;
      t.file = *f;
      t.file_node = file;
    }
  } else {
    type_error(extends, path, "a service name or a mapping", diags);
    return std::nullopt;
  }
  if (t.service.empty()) {
    diags.error(*t.service_node, path, "must name a service");
    return std::nullopt;
  }
  return t;
}

// The services of an extended file, read and interpolated once; nullptr after an error.
Node* Extender::services_of(const std::string& path, const Node& at, const std::string& key_path) {
  auto [it, added] = files_.emplace(path, nullptr);
  if (added) {
    std::optional<Node> doc = read_named_yaml_file(path, at, key_path, *ctx_.diags);
    if (doc) {
      interpolate_tree(*doc, *ctx_.environment, *ctx_.diags, ctx_.warned);
      it->second = std::make_unique<Node>(std::move(*doc));
    }
  }
  if (!it->second) return nullptr;
  Node* services = it->second->find("services");
  if (!services || !services->is_mapping()) {
    if (added) ctx_.diags->error(at, key_path, "'" + path + "' has no services");
    return nullptr;
  }
  return services;
}

std::string Extender::cycle_text(const std::vector<Ref>& chain, const Ref& again) const {
  bool one_file = true;
  for (const Ref& r : chain) one_file = one_file && r.file == again.file;
  auto name = [&](const Ref& r) {
    return "'" + r.service + "'" + (one_file ? "" : " in " + fs::path(r.file).filename().string());
  };
  std::string out = "circular reference: " + name(chain.front());
  for (size_t i = 1; i < chain.size(); ++i) out += " extends " + name(chain[i]);
  return out + " extends " + name(again);
}

// The definition of `name` with its `extends` resolved (in place), or nullptr after an error.
Node* Extender::resolve(Node& services, const std::string& file, const std::string& dir,
                        const std::string& name, std::vector<Ref> chain) {
  Node* service = services.find(name);
  if (!service || !service->is_mapping()) return service;  // a type error is normalize's to report
  Ref self{file, name};
  if (failed_.count(self)) return nullptr;
  Node* resolved = resolve_one(*service, services, self, dir, std::move(chain));
  if (!resolved) failed_.insert(self);
  return resolved;
}

Node* Extender::resolve_one(Node& service_node, Node& services, const Ref& self,
                            const std::string& dir, std::vector<Ref> chain) {
  Node* service = &service_node;
  const std::string& file = self.file;
  const std::string& name = self.service;
  const Node* extends = service->find("extends");
  if (!extends || done_.count(self)) return service;
  std::string path = "services." + name + ".extends";
  const Node& at = *service->find_key("extends");
  if (std::find(chain.begin(), chain.end(), self) != chain.end()) {
    ctx_.diags->error(at, path, cycle_text(chain, self));
    return nullptr;
  }
  if (chain.size() >= kMaxDepth) {
    ctx_.diags->error(at, path, "chain of more than " + std::to_string(kMaxDepth) + " services");
    return nullptr;
  }
  std::optional<Target> target = read_target(*extends, path);
  if (!target) return nullptr;
  Node* base_services = &services;
  std::string base_file = file, base_dir = dir;
  if (!target->file.empty()) {
    base_file = (fs::path(dir) / target->file).lexically_normal().string();
    base_dir = fs::path(base_file).parent_path().string();
    base_services = services_of(base_file, *target->file_node, join_path(path, "file"));
    if (!base_services) return nullptr;
  }
  if (!base_services->find(target->service)) {
    ctx_.diags->error(*target->service_node, path,
                      "service '" + target->service + "' not found" +
                          (target->file.empty() ? "" : " in '" + target->file + "'"));
    return nullptr;
  }
  chain.push_back(self);
  Node* base = resolve(*base_services, base_file, base_dir, target->service, chain);
  if (!base) return nullptr;
  Node own = *service;
  own.entries.erase(std::find_if(own.entries.begin(), own.entries.end(),
                                 [](const auto& e) { return e.first.scalar == "extends"; }));
  Node start = *base;
  if (base_file != file) absolutize_service_paths(start, base_dir);
  // services was not resized on the way: `service` still points at this entry.
  *service = merge_entry("services", std::move(start), own);
  done_.insert(self);
  return service;
}

}  // namespace

void apply_extends(Node& root, const std::string& file, const std::string& dir,
                   const ExtendsContext& ctx) {
  Node* services = root.is_mapping() ? root.find("services") : nullptr;
  if (!services || !services->is_mapping()) return;
  Extender(ctx).resolve_all(*services, file, dir);
}

}  // namespace stack::spec
