#include "spec/field_reader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>

#include "spec/suggest.hpp"
#include "util/bytes.hpp"
#include "util/duration.hpp"

namespace stack::spec {

std::string join_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

std::string index_path(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::optional<int64_t> parse_int(std::string_view text) {
  std::string_view s = text;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

namespace {

bool looks_numeric(std::string_view s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::string copy(s);
  std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size() && !std::isalpha(static_cast<unsigned char>(s.back()));
}

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

std::optional<bool> bool_text(std::string_view text) {
  std::string lower;
  for (char c : text) lower += char(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "true" || lower == "yes" || lower == "y" || lower == "on") return true;
  if (lower == "false" || lower == "no" || lower == "n" || lower == "off") return false;
  return std::nullopt;
}

std::string describe(const Node& node) {
  switch (node.kind) {
    case Node::Kind::null: return "null";
    case Node::Kind::sequence: return "a list";
    case Node::Kind::mapping: return "a mapping";
    case Node::Kind::scalar: break;
  }
  if (!node.quoted && bool_text(node.scalar)) return "a boolean";
  if (!node.quoted && looks_numeric(node.scalar)) return "a number";
  return "a string";
}

void type_error(const Node& node, const std::string& path, std::string_view what,
                Diagnostics& diags) {
  diags.error(node, path, "expected " + std::string(what) + ", got " + describe(node));
}

void check_keys(const Node& mapping, const std::string& path,
                std::span<const std::string_view> known, Diagnostics& diags,
                bool allow_extensions) {
  for (const auto& [key, value] : mapping.entries) {
    const std::string& k = key.scalar;
    if (allow_extensions && k.rfind("x-", 0) == 0) continue;
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    diags.error(key, path, "unknown key '" + k + "'" + did_you_mean(k, known));
  }
}

bool expect_mapping(const Node& node, const std::string& path, Diagnostics& diags) {
  if (node.is_mapping()) return true;
  type_error(node, path, "a mapping", diags);
  return false;
}

bool expect_sequence(const Node& node, const std::string& path, Diagnostics& diags) {
  if (node.is_sequence()) return true;
  type_error(node, path, "a list", diags);
  return false;
}

std::optional<std::string> read_string(const Node& node, const std::string& path,
                                       Diagnostics& diags) {
  if (node.is_scalar()) return node.scalar;
  type_error(node, path, "a string", diags);
  return std::nullopt;
}

std::optional<bool> read_bool(const Node& node, const std::string& path, Diagnostics& diags) {
  if (!node.is_scalar()) {
    type_error(node, path, "a boolean", diags);
    return std::nullopt;
  }
  auto b = bool_text(node.scalar);
  if (!b) diags.error(node, path, quote(node.scalar) + " is not a valid boolean");
  return b;
}

std::optional<int64_t> read_int(const Node& node, const std::string& path, Diagnostics& diags,
                                int64_t min, int64_t max) {
  if (!node.is_scalar()) {
    type_error(node, path, "an integer", diags);
    return std::nullopt;
  }
  auto v = parse_int(node.scalar);
  if (!v) {
    diags.error(node, path, quote(node.scalar) + " is not a valid integer");
    return std::nullopt;
  }
  if (*v < min || *v > max) {
    diags.error(node, path, node.scalar + " is out of range (" + std::to_string(min) + " to " +
                                std::to_string(max) + ")");
    return std::nullopt;
  }
  return v;
}

std::optional<double> read_double(const Node& node, const std::string& path, Diagnostics& diags,
                                  double min) {
  if (!node.is_scalar()) {
    type_error(node, path, "a number", diags);
    return std::nullopt;
  }
  const std::string& s = node.scalar;
  char* end = nullptr;
  double v = s.empty() ? 0 : std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !looks_numeric(s)) {
    diags.error(node, path, quote(s) + " is not a valid number");
    return std::nullopt;
  }
  if (v < min) {
    diags.error(node, path, s + " must not be less than " + std::to_string(int64_t(min)));
    return std::nullopt;
  }
  return v;
}

std::optional<Duration> read_duration(const Node& node, const std::string& path,
                                      Diagnostics& diags) {
  if (!node.is_scalar()) {
    type_error(node, path, "a duration", diags);
    return std::nullopt;
  }
  auto d = util::parse_duration(node.scalar);
  if (!d) {
    diags.error(node, path, d.error().message());
    return std::nullopt;
  }
  return *d;
}

std::optional<int64_t> read_bytes(const Node& node, const std::string& path, Diagnostics& diags) {
  if (!node.is_scalar()) {
    type_error(node, path, "a size", diags);
    return std::nullopt;
  }
  auto b = util::parse_bytes(node.scalar);
  if (!b) {
    diags.error(node, path, b.error().message());
    return std::nullopt;
  }
  return *b;
}

std::optional<std::vector<std::string>> read_string_list(const Node& node, const std::string& path,
                                                         Diagnostics& diags, bool allow_scalar) {
  if (allow_scalar && node.is_scalar()) return std::vector<std::string>{node.scalar};
  if (!node.is_sequence()) {
    type_error(node, path, allow_scalar ? "a string or a list" : "a list", diags);
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < node.items.size(); ++i) {
    auto s = read_string(node.items[i], index_path(path, i), diags);
    if (s) out.push_back(*s);
    ok = ok && s.has_value();
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::map<std::string, std::string>> read_string_map(const Node& node,
                                                                  const std::string& path,
                                                                  Diagnostics& diags) {
  std::map<std::string, std::string> out;
  size_t before = diags.size();
  if (node.is_mapping()) {
    for (const auto& [k, v] : node.entries) {
      if (v.is_null()) {
        out[k.scalar] = "";
      } else if (auto s = read_string(v, join_path(path, k.scalar), diags)) {
        out[k.scalar] = *s;
      }
    }
  } else if (node.is_sequence()) {
    for (size_t i = 0; i < node.items.size(); ++i) {
      auto s = read_string(node.items[i], index_path(path, i), diags);
      if (!s) continue;
      size_t eq = s->find('=');
      if (eq == 0) {
        diags.error(node.items[i], index_path(path, i), quote(*s) + " has an empty key");
        continue;
      }
      out[s->substr(0, eq)] = eq == std::string::npos ? "" : s->substr(eq + 1);
    }
  } else {
    type_error(node, path, "a mapping or a list", diags);
  }
  if (diags.size() != before) return std::nullopt;
  return out;
}

Location location_of(const Node& node, std::string path) { return Location{node.mark, std::move(path)}; }

std::string clean_container_path(std::string_view path) {
  if (path.empty()) return {};
  std::string out = std::filesystem::path(path).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace stack::spec
