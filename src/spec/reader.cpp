#include "spec/reader.hpp"

#include <yaml-cpp/yaml.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace stack::spec {

namespace {

struct LimitExceeded {
  Mark mark;
  std::string message;
};

class Converter {
 public:
  Converter(std::shared_ptr<const std::string> file, const ReadLimits& limits)
      : file_(std::move(file)), limits_(limits) {}

  Node convert(const YAML::Node& y, int depth) {
    Mark mark = mark_of(y);
    if (++nodes_ > limits_.max_nodes) throw too_many(mark);
    if (depth > limits_.max_depth) throw too_deep(mark);
    switch (y.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null: {
        Node n;
        n.mark = mark;
        return n;
      }
      case YAML::NodeType::Scalar: {
        const std::string& tag = y.Tag();
        bool quoted = tag == "!" || tag == "tag:yaml.org,2002:str";
        return Node::make_scalar(y.Scalar(), mark, quoted);
      }
      case YAML::NodeType::Sequence: {
        Node n = Node::make_sequence(mark);
        n.items.reserve(y.size());
        for (const auto& item : y) n.items.push_back(convert(item, depth + 1));
        return n;
      }
      case YAML::NodeType::Map:
        return convert_map(y, depth);
    }
    return Node{};
  }

  // The node count of the document once aliases are expanded, computed before anything is built.
  // An alias is a second reference to the same yaml-cpp node and so has the same start offset:
  // each distinct collection is walked once, and a "billion laughs" document is refused without
  // allocating its expansion (building 10^6 Nodes first would take seconds).
  size_t expanded_size(const YAML::Node& y, int depth) {
    if (depth > limits_.max_depth) throw too_deep(mark_of(y));
    if (!y.IsSequence() && !y.IsMap()) return 1;
    int pos = y.Mark().pos;
    if (pos >= 0) {
      if (auto it = sizes_.find(pos); it != sizes_.end()) return it->second;
    }
    size_t total = 1;
    auto add = [&](const YAML::Node& child) {
      total += expanded_size(child, depth + 1);
      if (total > limits_.max_nodes) throw too_many(mark_of(y));
    };
    if (y.IsSequence()) {
      for (const auto& item : y) add(item);
    } else {
      for (const auto& kv : y) add(kv.second);
    }
    if (pos >= 0) sizes_.emplace(pos, total);
    return total;
  }

  std::vector<Diagnostic> errors;

 private:
  LimitExceeded too_many(const Mark& mark) const {
    return LimitExceeded{mark, "document expands to more than " +
                                   std::to_string(limits_.max_nodes) +
                                   " nodes (alias expansion bomb?)"};
  }
  LimitExceeded too_deep(const Mark& mark) const {
    return LimitExceeded{mark, "nesting deeper than " + std::to_string(limits_.max_depth) +
                                   " levels"};
  }

  Mark mark_of(const YAML::Node& y) const {
    YAML::Mark m = y.Mark();
    return Mark{file_, m.line < 0 ? 0 : m.line + 1, m.column < 0 ? 0 : m.column + 1};
  }

  Node convert_map(const YAML::Node& y, int depth) {
    Node n = Node::make_mapping(mark_of(y));
    n.entries.reserve(y.size());
    std::vector<Node> merges;  // values of "<<", applied after the explicit keys
    // Node::find is linear; a set keeps a mapping with many keys from turning quadratic.
    std::unordered_set<std::string> keys;
    for (const auto& kv : y) {
      const YAML::Node& key = kv.first;
      if (!key.IsScalar()) {
        errors.push_back({mark_of(key), "", "mapping keys must be strings"});
        continue;
      }
      Node value = convert(kv.second, depth + 1);
      if (key.Scalar() == "<<" && key.Tag() != "!") {
        merges.push_back(std::move(value));
        continue;
      }
      if (!keys.insert(key.Scalar()).second) {
        errors.push_back({mark_of(key), "", "duplicate key '" + key.Scalar() + "'"});
        continue;
      }
      n.entries.emplace_back(Node::make_scalar(key.Scalar(), mark_of(key), key.Tag() == "!"),
                             std::move(value));
    }
    for (auto& merge : merges) apply_merge(n, keys, merge);
    return n;
  }

  // YAML 1.1 merge: explicit keys win; in a list of mappings the earlier one wins.
  void apply_merge(Node& target, std::unordered_set<std::string>& keys, const Node& merge) {
    if (merge.is_mapping()) {
      // The merged value was counted when it was converted, so the copy stays within twice
      // max_nodes.
      for (const auto& [k, v] : merge.entries)
        if (keys.insert(k.scalar).second) target.entries.emplace_back(k, v);
      return;
    }
    if (merge.is_sequence()) {
      for (const auto& item : merge.items) {
        if (!item.is_mapping()) {
          errors.push_back({item.mark, "", "a '<<' merge list may hold only mappings"});
          continue;
        }
        apply_merge(target, keys, item);
      }
      return;
    }
    errors.push_back({merge.mark, "", "the value of a '<<' merge key must be a mapping or a list "
                                      "of mappings"});
  }

  std::shared_ptr<const std::string> file_;
  const ReadLimits& limits_;
  size_t nodes_ = 0;
  std::unordered_map<int, size_t> sizes_;  // expanded_size of collections by start offset
};

}  // namespace

std::optional<Node> read_yaml(std::string_view text, const std::string& file, Diagnostics& diags,
                              const ReadLimits& limits) {
  auto name = std::make_shared<const std::string>(file);
  Mark start{name, 0, 0};
  if (text.size() > limits.max_bytes) {
    diags.error(start, "", "file is larger than " + std::to_string(limits.max_bytes >> 20) + " MiB");
    return std::nullopt;
  }
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    diags.error(start, "", "file is not text (NUL byte at offset " + std::to_string(nul) + ")");
    return std::nullopt;
  }
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    Mark m{name, e.mark.line < 0 ? 0 : e.mark.line + 1, e.mark.column < 0 ? 0 : e.mark.column + 1};
    diags.error(m, "", "invalid YAML: " + e.msg);
    return std::nullopt;
  } catch (const std::exception& e) {
    diags.error(start, "", std::string("invalid YAML: ") + e.what());
    return std::nullopt;
  }
  Converter conv(name, limits);
  try {
    (void)conv.expanded_size(doc, 0);
    Node root = conv.convert(doc, 0);
    for (auto& d : conv.errors) diags.error(d.mark, d.path, d.message);
    if (!conv.errors.empty()) return std::nullopt;
    return root;
  } catch (const LimitExceeded& e) {
    diags.error(e.mark, "", e.message);
  } catch (const YAML::Exception& e) {
    diags.error(start, "", "invalid YAML: " + e.msg);
  }
  return std::nullopt;
}

std::optional<Node> read_yaml_file(const std::string& path, Diagnostics& diags,
                                   const ReadLimits& limits) {
  Mark where{std::make_shared<const std::string>(path), 0, 0};
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(where, "", std::string("cannot read stack file: ") + std::strerror(errno));
    return std::nullopt;
  }
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > limits.max_bytes) {
      diags.error(where, "", "file is larger than " + std::to_string(limits.max_bytes >> 20) +
                                 " MiB");
      return std::nullopt;
    }
  }
  if (in.bad()) {
    diags.error(where, "", std::string("cannot read stack file: ") + std::strerror(errno));
    return std::nullopt;
  }
  return read_yaml(text, path, diags, limits);
}

std::optional<Node> read_named_yaml_file(const std::string& path, const Node& at,
                                         const std::string& key_path, Diagnostics& diags) {
  Diagnostics own;
  std::optional<Node> doc = read_yaml_file(path, own);
  for (const Diagnostic& e : own.list()) {
    if (e.mark.line == 0)
      diags.error(at, key_path, "'" + path + "': " + e.message);
    else
      diags.error(e.mark, e.path, e.message);
  }
  if (!doc) return std::nullopt;
  if (!doc->is_mapping()) {
    diags.error(at, key_path, "'" + path + "' must be a mapping at the top level, got " +
                                  std::string(kind_name(*doc)));
    return std::nullopt;
  }
  return doc;
}

}  // namespace stack::spec
