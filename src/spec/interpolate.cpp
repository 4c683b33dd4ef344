#include "spec/interpolate.hpp"

#include <cstddef>

namespace stack::spec {

namespace {

// Nested defaults recurse once per level; a hostile "${A:-${A:-${A:-..." must not exhaust the
// stack. Real stack files nest two or three levels at most.
constexpr int kMaxNesting = 32;
// Offending text quoted in an error is cut here so that one diagnostic stays one readable line.
constexpr size_t kMaxQuoted = 80;

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

// The operators of a braced expansion, longest first so that ":-" is not read as ":" then "-".
enum class Op { none, default_if_empty, default_if_unset, error_if_empty, error_if_unset,
                alt_if_nonempty, alt_if_set };

struct OpSpelling {
  std::string_view text;
  Op op;
};

constexpr OpSpelling kOps[] = {
    {":-", Op::default_if_empty}, {":?", Op::error_if_empty}, {":+", Op::alt_if_nonempty},
    {"-", Op::default_if_unset},  {"?", Op::error_if_unset},  {"+", Op::alt_if_set},
};

class Interpolator {
 public:
  Interpolator(const Environment& env, std::string_view whole, std::vector<std::string>* unset)
      : env_(env), whole_(whole), unset_(unset) {}

  // Expands text (the whole value or the argument of an operator) into out.
  bool expand(std::string_view text, int depth, std::string& out) {
    if (depth > kMaxNesting) return fail_invalid("nesting deeper than " +
                                                 std::to_string(kMaxNesting) + " levels");
    size_t i = 0;
    while (i < text.size()) {
      size_t dollar = text.find('$', i);
      if (dollar == std::string_view::npos) {
        out.append(text.substr(i));
        break;
      }
      out.append(text.substr(i, dollar - i));
      i = dollar + 1;
      if (i >= text.size()) {
        out.push_back('$');  // a trailing '$' has nothing to name: compose keeps it
      } else if (text[i] == '$') {
        out.push_back('$');
        ++i;
      } else if (text[i] == '{') {
        if (!expand_braced(text, i, depth, out)) return false;
      } else if (is_name_start(text[i])) {
        size_t end = i;
        while (end < text.size() && is_name_char(text[end])) ++end;
        if (auto v = lookup_plain(text.substr(i, end - i))) out.append(*v);
        i = end;
      } else {
        out.push_back('$');  // "$1", "$-", "$ ": not a variable, compose leaves it alone
      }
    }
    return true;
  }

  std::string error;

 private:
  std::optional<std::string_view> lookup(std::string_view name) const {
    auto it = env_.find(std::string(name));
    if (it == env_.end()) return std::nullopt;
    return std::string_view(it->second);
  }

  // A variable read without a default: an unset one is noted for the caller's warning.
  std::optional<std::string_view> lookup_plain(std::string_view name) const {
    auto v = lookup(name);
    if (!v && unset_) unset_->emplace_back(name);
    return v;
  }

  bool fail_invalid(const std::string& why = {}) {
    std::string shown(whole_.substr(0, kMaxQuoted));
    if (whole_.size() > kMaxQuoted) shown += "...";
    error = "invalid interpolation format for '" + shown + "'";
    error += why.empty() ? ": you may need to escape any $ with another $" : ": " + why;
    return false;
  }

  // The index of the '}' closing an operator's argument that starts at `from`, or npos.
  // "${" opens a nested expansion and "$$" is an escaped dollar, so neither counts as text.
  static size_t closing_brace(std::string_view text, size_t from) {
    int open = 0;
    for (size_t i = from; i < text.size(); ++i) {
      if (text[i] == '$' && i + 1 < text.size() && (text[i + 1] == '$' || text[i + 1] == '{')) {
        if (text[i + 1] == '{') ++open;
        ++i;
      } else if (text[i] == '}') {
        if (open == 0) return i;
        --open;
      }
    }
    return std::string_view::npos;
  }

  // i points at the '{' after '$'; on success it is moved past the closing '}'.
  bool expand_braced(std::string_view text, size_t& i, int depth, std::string& out) {
    size_t name_begin = i + 1;
    size_t p = name_begin;
    if (p >= text.size() || !is_name_start(text[p])) return fail_invalid();
    while (p < text.size() && is_name_char(text[p])) ++p;
    std::string_view name = text.substr(name_begin, p - name_begin);
    if (p >= text.size()) return fail_invalid();
    if (text[p] == '}') {
      if (auto v = lookup_plain(name)) out.append(*v);
      i = p + 1;
      return true;
    }
    Op op = Op::none;
    for (const auto& spelling : kOps) {
      if (text.substr(p, spelling.text.size()) == spelling.text) {
        op = spelling.op;
        p += spelling.text.size();
        break;
      }
    }
    if (op == Op::none) return fail_invalid();
    size_t close = closing_brace(text, p);
    if (close == std::string_view::npos) return fail_invalid();
    i = close + 1;
    return apply(op, name, text.substr(p, close - p), depth, out);
  }

  bool apply(Op op, std::string_view name, std::string_view arg, int depth, std::string& out) {
    auto value = lookup(name);
    bool set = value.has_value();
    bool nonempty = set && !value->empty();
    switch (op) {
      case Op::default_if_empty:
        return nonempty ? (out.append(*value), true) : expand(arg, depth + 1, out);
      case Op::default_if_unset:
        return set ? (out.append(*value), true) : expand(arg, depth + 1, out);
      case Op::alt_if_nonempty:
        return nonempty ? expand(arg, depth + 1, out) : true;
      case Op::alt_if_set:
        return set ? expand(arg, depth + 1, out) : true;
      case Op::error_if_empty:
      case Op::error_if_unset:
        if (op == Op::error_if_empty ? nonempty : set) {
          out.append(*value);
          return true;
        }
        return fail_required(name, arg, depth);
      case Op::none:
        break;
    }
    return fail_invalid();
  }

  // The message may itself hold variables ("${VAR:?set it in ${ENV_FILE}}"); expand them when
  // that works, otherwise show it as written.
  bool fail_required(std::string_view name, std::string_view arg, int depth) {
    std::string message;
    if (!expand(arg, depth + 1, message)) message.assign(arg);
    error = "required variable " + std::string(name) + " is missing a value";
    if (!message.empty()) error += ": " + message;
    return false;
  }

  const Environment& env_;
  std::string_view whole_;
  std::vector<std::string>* unset_;
};

void append_index(std::string& path, size_t index) {
  path += '[';
  path += std::to_string(index);
  path += ']';
}

void append_key(std::string& path, const std::string& key) {
  if (!path.empty()) path += '.';
  path += key;
}

struct Walk {
  const Environment& env;
  Diagnostics& diags;
  std::set<std::string>& warned;
};

// Walks the tree; `path` is extended on the way down and restored on the way up so that the
// walk allocates one path string, not one per node.
void interpolate_node(Node& node, Walk& walk, std::string& path) {
  switch (node.kind) {
    case Node::Kind::null:
      return;
    case Node::Kind::scalar: {
      if (node.scalar.find('$') == std::string::npos) return;
      std::string error;
      std::vector<std::string> unset;
      if (auto out = interpolate_string(node.scalar, walk.env, &error, &unset))
        node.scalar = std::move(*out);
      else
        walk.diags.error(node, path, std::move(error));
      for (auto& name : unset)
        if (walk.warned.insert(name).second)
          walk.diags.warn(node.mark, path, unset_variable_warning(name));
      return;
    }
    case Node::Kind::sequence:
      for (size_t i = 0; i < node.items.size(); ++i) {
        size_t keep = path.size();
        append_index(path, i);
        interpolate_node(node.items[i], walk, path);
        path.resize(keep);
      }
      return;
    case Node::Kind::mapping:
      for (auto& [key, value] : node.entries) {
        size_t keep = path.size();
        append_key(path, key.scalar);
        interpolate_node(value, walk, path);
        path.resize(keep);
      }
      return;
  }
}

}  // namespace

std::optional<std::string> interpolate_string(std::string_view text, const Environment& env,
                                              std::string* error, std::vector<std::string>* unset) {
  Interpolator interpolator(env, text, unset);
  std::string out;
  out.reserve(text.size());
  if (interpolator.expand(text, 0, out)) return out;
  if (error) *error = std::move(interpolator.error);
  return std::nullopt;
}

void interpolate_tree(Node& root, const Environment& env, Diagnostics& diags,
                      std::set<std::string>* warned) {
  std::set<std::string> own;
  Walk walk{env, diags, warned ? *warned : own};
  std::string path;
  interpolate_node(root, walk, path);
}

// compose's words, kept as they are so that scripts matching them keep working.
std::string unset_variable_warning(const std::string& name) {
  return "The " + name + " variable is not set. Defaulting to a blank string.";
}

}  // namespace stack::spec
