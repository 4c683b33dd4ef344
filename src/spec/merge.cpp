#include "spec/merge.hpp"

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "spec/field_reader.hpp"

namespace stack::spec {

namespace {

// How a key's value in the override file combines with the base file's. The table below maps key
// paths to rules the way compose-go's override package does (merge.go, uncity.go).
enum class Rule {
  deep,        // mappings merged recursively, lists appended without duplicates, scalars replaced
  replace,     // the override's value wins whole
  keyed,       // "K=V" list or K: V mapping, merged by K (environment, labels, ...)
  named,       // list of names or mapping by name, merged by name (service networks)
  depends_on,  // as named, but a bare name means condition service_started
  volumes,     // merged by container target path
  secrets,     // merged by target, default /run/secrets/<name>
  configs,     // merged by target, default /<name>
  to_list,     // a single string is a list of one (dns, env_file, tmpfs, ...)
  logging,     // options merged only when the driver stays the same
  build,       // "build: ./dir" is "build: {context: ./dir}"
  ipam_config, // merged by subnet
};

struct PathRule {
  std::string_view pattern;  // dot-separated keys, "*" matches any one key
  Rule rule;
};

constexpr PathRule kRules[] = {
    {"services.*.command", Rule::replace},
    {"services.*.entrypoint", Rule::replace},
    {"services.*.healthcheck.test", Rule::replace},
    {"services.*.profiles", Rule::replace},
    {"services.*.ulimits.*", Rule::replace},
    {"services.*.environment", Rule::keyed},
    {"services.*.labels", Rule::keyed},
    {"services.*.annotations", Rule::keyed},
    {"services.*.sysctls", Rule::keyed},
    {"services.*.extra_hosts", Rule::keyed},
    {"services.*.deploy.labels", Rule::keyed},
    {"services.*.build.args", Rule::keyed},
    {"services.*.build.labels", Rule::keyed},
    {"services.*.build.extra_hosts", Rule::keyed},
    {"services.*.build.additional_contexts", Rule::keyed},
    {"networks.*.labels", Rule::keyed},
    {"volumes.*.labels", Rule::keyed},
    {"secrets.*.labels", Rule::keyed},
    {"configs.*.labels", Rule::keyed},
    {"services.*.networks", Rule::named},
    {"services.*.depends_on", Rule::depends_on},
    {"services.*.volumes", Rule::volumes},
    {"services.*.secrets", Rule::secrets},
    {"services.*.configs", Rule::configs},
    {"services.*.dns", Rule::to_list},
    {"services.*.dns_search", Rule::to_list},
    {"services.*.dns_opt", Rule::to_list},
    {"services.*.env_file", Rule::to_list},
    {"services.*.label_file", Rule::to_list},
    {"services.*.tmpfs", Rule::to_list},
    {"services.*.logging", Rule::logging},
    {"services.*.build", Rule::build},
    {"networks.*.ipam.config", Rule::ipam_config},
};

using Path = std::vector<std::string_view>;

bool matches(std::string_view pattern, const Path& path) {
  size_t i = 0;
  for (std::string_view key : path) {
    if (i > pattern.size()) return false;
    size_t dot = pattern.find('.', i);
    if (dot == std::string_view::npos) dot = pattern.size();
    std::string_view seg = pattern.substr(i, dot - i);
    if (seg != "*" && seg != key) return false;
    i = dot + 1;
  }
  return i == pattern.size() + 1;
}

Rule rule_for(const Path& path) {
  for (const auto& r : kRules)
    if (matches(r.pattern, path)) return r.rule;
  return Rule::deep;
}

// A canonical text for a node, marks ignored: equal text means equal values. Lengths prefix the
// scalars so that no two different trees can spell the same text.
void canonical(const Node& node, std::string& out) {
  switch (node.kind) {
    case Node::Kind::null:
      out += 'n';
      return;
    case Node::Kind::scalar:
      out += 's';
      out += std::to_string(node.scalar.size());
      out += ':';
      out += node.scalar;
      return;
    case Node::Kind::sequence:
      out += '[';
      for (const auto& item : node.items) canonical(item, out);
      out += ']';
      return;
    case Node::Kind::mapping:
      out += '{';
      for (const auto& [k, v] : node.entries) {
        canonical(k, out);
        canonical(v, out);
      }
      out += '}';
      return;
  }
}

std::string canonical(const Node& node) {
  std::string out;
  canonical(node, out);
  return out;
}

// Appends the override's items that the base does not already hold (hashing, so that long lists
// stay linear).
void append_unique(Node& base, const Node& over) {
  std::unordered_set<std::string> seen;
  for (const auto& item : base.items) seen.insert(canonical(item));
  for (const auto& item : over.items)
    if (seen.insert(canonical(item)).second) base.items.push_back(item);
}

// A single string stands for a list of one.
Node as_list(const Node& node) {
  if (!node.is_scalar()) return node;
  Node list = Node::make_sequence(node.mark);
  list.items.push_back(node);
  return list;
}

// Sets key to value in a mapping under construction; `index` keeps the look-up linear in the
// number of entries, where Node::find would make a long list quadratic.
void upsert(Node& map, std::unordered_map<std::string, size_t>& index, Node key, Node value) {
  auto [it, added] = index.emplace(key.scalar, map.entries.size());
  if (added)
    map.entries.emplace_back(std::move(key), std::move(value));
  else
    map.entries[it->second].second = std::move(value);  // written twice: the later one wins
}

// "K=V" -> K: "V"; "K" -> K: null. extra_hosts also writes "host:ip"; its IPv6 addresses hold
// colons too, so only the first separator splits.
bool split_entry(const Node& item, bool colon_too, Node& key, Node& value) {
  if (!item.is_scalar()) return false;
  const std::string& text = item.scalar;
  size_t sep = text.find('=');
  if (sep == std::string::npos && colon_too) sep = text.find(':');
  if (sep == std::string::npos) {
    key = Node::make_scalar(text, item.mark);
    value = Node{};
    value.mark = item.mark;
    return true;
  }
  key = Node::make_scalar(text.substr(0, sep), item.mark);
  value = Node::make_scalar(text.substr(sep + 1), item.mark, true);
  return true;
}

// The list form of a keyed section as a mapping; false if an item is not a string.
bool to_mapping(const Node& node, bool colon_too, Node& out) {
  if (node.is_mapping()) {
    out = node;
    return true;
  }
  if (!node.is_sequence()) return false;
  out = Node::make_mapping(node.mark);
  std::unordered_map<std::string, size_t> index;
  for (const auto& item : node.items) {
    Node key, value;
    if (!split_entry(item, colon_too, key, value)) return false;
    upsert(out, index, std::move(key), std::move(value));
  }
  return true;
}

// The list form of depends_on or networks as a mapping: each name with `bare` as its value.
bool names_to_mapping(const Node& node, const Node* bare, Node& out) {
  if (node.is_mapping()) {
    out = node;
    return true;
  }
  if (!node.is_sequence()) return false;
  out = Node::make_mapping(node.mark);
  std::unordered_map<std::string, size_t> index;
  for (const auto& item : node.items) {
    if (!item.is_scalar()) return false;
    Node value = bare ? *bare : Node{};
    value.mark = item.mark;  // errors in the implied condition point at the name that implied it
    for (auto& [k, v] : value.entries) k.mark = v.mark = item.mark;
    upsert(out, index, Node::make_scalar(item.scalar, item.mark, item.quoted), std::move(value));
  }
  return true;
}

Node started_condition() {
  Node n = Node::make_mapping();
  n.set("condition", Node::make_scalar("service_started"));
  n.set("required", Node::make_scalar("true"));
  return n;
}

std::string text_of(const Node* node) {
  return node && node->is_scalar() ? node->scalar : std::string();
}

// The container path a service volume mounts at: "src:dst[:mode]", "dst", or {target: dst};
// cleaned, so that an override's "/data/" replaces the base's "/data" as in compose.
std::string volume_target(const Node& item) {
  if (item.is_mapping()) return clean_container_path(text_of(item.find("target")));
  if (!item.is_scalar()) return {};
  const std::string& s = item.scalar;
  size_t first = s.find(':');
  if (first == std::string::npos) return clean_container_path(s);
  size_t second = s.find(':', first + 1);
  return clean_container_path(
      s.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1));
}

// Where a secret or config is mounted: the target (relative to `dir` unless absolute), else
// `dir`/<name>.
std::string mount_target(const Node& item, std::string_view dir) {
  std::string name;
  if (item.is_mapping()) {
    name = text_of(item.find("target"));
    if (name.empty()) name = text_of(item.find("source"));
  } else if (item.is_scalar()) {
    name = item.scalar;
  }
  if (name.empty() || name.starts_with('/')) return name;
  return std::string(dir) + "/" + name;
}

std::string subnet_of(const Node& item) {
  return item.is_mapping() ? text_of(item.find("subnet")) : std::string();
}

class Merger {
 public:
  explicit Merger(Path path = {}) : path_(std::move(path)) {}
  void merge_value(Node& base, const Node& over);
  void merge_mapping(Node& base, const Node& over);

 private:
  template <class KeyFn>
  void merge_by_key(Node& base, const Node& over, KeyFn key_of, bool deep);
  void merge_keyed(Node& base, const Node& over, bool colon_too);
  void merge_named(Node& base, const Node& over, const Node* bare);
  void merge_logging(Node& base, const Node& over);

  Path path_;
};

void Merger::merge_value(Node& base, const Node& over) {
  if (over.is_null()) return;  // compose: a null override leaves the base value alone
  if (base.is_null()) {
    base = over;
    return;
  }
  switch (rule_for(path_)) {
    case Rule::replace:
      base = over;
      return;
    case Rule::keyed:
      return merge_keyed(base, over, !path_.empty() && path_.back() == "extra_hosts");
    case Rule::named:
      return merge_named(base, over, nullptr);
    case Rule::depends_on: {
      static const Node bare = started_condition();
      return merge_named(base, over, &bare);
    }
    case Rule::volumes:
      return merge_by_key(base, over, volume_target, false);
    case Rule::secrets:
      return merge_by_key(base, over, [](const Node& n) { return mount_target(n, "/run/secrets"); },
                          false);
    case Rule::configs:
      return merge_by_key(base, over, [](const Node& n) { return mount_target(n, ""); }, false);
    case Rule::ipam_config:
      return merge_by_key(base, over, subnet_of, true);
    case Rule::to_list: {
      Node list = as_list(base);
      Node more = as_list(over);
      if (!list.is_sequence() || !more.is_sequence()) break;
      append_unique(list, more);
      base = std::move(list);
      return;
    }
    case Rule::logging:
      return merge_logging(base, over);
    case Rule::build: {
      auto as_build = [](const Node& n) {
        if (!n.is_scalar()) return n;
        Node m = Node::make_mapping(n.mark);
        m.set("context", n);
        return m;
      };
      Node b = as_build(base);
      Node o = as_build(over);
      if (!b.is_mapping() || !o.is_mapping()) break;
      base = std::move(b);
      return merge_mapping(base, o);
    }
    case Rule::deep:
      break;
  }
  if (base.is_mapping() && over.is_mapping()) return merge_mapping(base, over);
  if (base.is_sequence() && over.is_sequence()) return append_unique(base, over);
  base = over;  // scalars, and a value of another type: the override wins
}

void Merger::merge_mapping(Node& base, const Node& over) {
  // An index instead of Node::find, which is linear: a mapping with many keys stays linear.
  std::unordered_map<std::string, size_t> index;
  index.reserve(base.entries.size());
  for (size_t i = 0; i < base.entries.size(); ++i) index.emplace(base.entries[i].first.scalar, i);
  for (const auto& [key, value] : over.entries) {
    auto it = index.find(key.scalar);
    if (it == index.end()) {
      index.emplace(key.scalar, base.entries.size());
      base.entries.emplace_back(key, value);
      continue;
    }
    Node& target = base.entries[it->second].second;
    // Extension fields (x-*) are opaque to compose: the override replaces them whole.
    if (key.scalar.starts_with("x-")) {
      target = value;
      continue;
    }
    path_.push_back(key.scalar);
    merge_value(target, value);
    path_.pop_back();
  }
}

// Items with the same key: the override's replaces the base's in place (or is merged into it when
// `deep`); items without a key are appended unless an equal one is already there.
template <class KeyFn>
void Merger::merge_by_key(Node& base, const Node& over, KeyFn key_of, bool deep) {
  if (!base.is_sequence() || !over.is_sequence()) {
    base = over;
    return;
  }
  std::unordered_map<std::string, size_t> by_key;
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < base.items.size(); ++i) {
    std::string key = key_of(base.items[i]);
    if (!key.empty()) by_key.emplace(std::move(key), i);
    seen.insert(canonical(base.items[i]));
  }
  for (const auto& item : over.items) {
    std::string key = key_of(item);
    if (auto it = by_key.find(key); !key.empty() && it != by_key.end()) {
      Node& target = base.items[it->second];
      if (deep && target.is_mapping() && item.is_mapping())
        merge_mapping(target, item);
      else
        target = item;
      continue;
    }
    if (!seen.insert(canonical(item)).second) continue;
    if (!key.empty()) by_key.emplace(std::move(key), base.items.size());
    base.items.push_back(item);
  }
}

// environment, labels, ...: both forms become a mapping; the override's value wins per key.
void Merger::merge_keyed(Node& base, const Node& over, bool colon_too) {
  Node b, o;
  if (!to_mapping(base, colon_too, b) || !to_mapping(over, colon_too, o)) {
    base = over;
    return;
  }
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < b.entries.size(); ++i) index.emplace(b.entries[i].first.scalar, i);
  for (const auto& [key, value] : o.entries) upsert(b, index, key, value);
  base = std::move(b);
}

// networks and depends_on: both forms become a mapping by name, then merge as mappings, so that
// a network's aliases or a dependency's condition combine with the base's.
void Merger::merge_named(Node& base, const Node& over, const Node* bare) {
  Node b, o;
  if (!names_to_mapping(base, bare, b) || !names_to_mapping(over, bare, o)) {
    base = over;
    return;
  }
  base = std::move(b);
  merge_mapping(base, o);
}

// compose keeps the base's options only while the driver is unchanged (or one side names none).
void Merger::merge_logging(Node& base, const Node& over) {
  if (!base.is_mapping() || !over.is_mapping()) {
    base = over;
    return;
  }
  const Node* bd = base.find("driver");
  const Node* od = over.find("driver");
  if (bd && od && canonical(*bd) != canonical(*od)) {
    base = over;
    return;
  }
  merge_mapping(base, over);
}

}  // namespace

Node merge_stack_files(Node base, const Node& override_file) {
  if (override_file.is_null()) return base;
  if (!base.is_mapping() || !override_file.is_mapping()) return override_file;
  Merger merger;
  merger.merge_mapping(base, override_file);
  return base;
}

Node merge_entry(std::string_view section, Node base, const Node& over) {
  if (over.is_null()) return base;
  if (!base.is_mapping() || !over.is_mapping()) return over;
  Merger merger({section, "*"});
  merger.merge_mapping(base, over);
  return base;
}

}  // namespace stack::spec
