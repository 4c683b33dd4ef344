#include "build/glob.hpp"

namespace stack::build {

using util::Errc;
using util::fail;

namespace {

// A character class at p ('[' already consumed); sets matched and moves p past ']'.
Result<void> match_class(std::string_view pat, size_t& p, char c, bool& matched) {
  bool negate = p < pat.size() && pat[p] == '^';
  if (negate) ++p;
  bool hit = false;
  bool first = true;
  while (true) {
    if (p >= pat.size()) return fail(Errc::invalid_argument, "syntax error in pattern '" + std::string(pat) + "'");
    if (pat[p] == ']' && !first) {
      ++p;
      break;
    }
    first = false;
    char lo = pat[p++];
    if (lo == '\\' && p < pat.size()) lo = pat[p++];
    char hi = lo;
    if (p + 1 < pat.size() && pat[p] == '-' && pat[p + 1] != ']') {
      hi = pat[p + 1];
      p += 2;
      if (hi == '\\' && p < pat.size()) hi = pat[p++];
    }
    if (lo <= c && c <= hi) hit = true;
  }
  matched = hit != negate;
  return util::ok();
}

}  // namespace

Result<bool> match_component(std::string_view pat, std::string_view name) {
  // Iterative wildcard matching with one backtrack point for the last '*'.
  size_t p = 0, n = 0, star_p = std::string_view::npos, star_n = 0;
  while (n < name.size()) {
    if (p < pat.size() && pat[p] == '*') {
      star_p = ++p;
      star_n = n;
      continue;
    }
    if (p < pat.size()) {
      char pc = pat[p];
      bool ok = false;
      size_t next = p + 1;
      if (pc == '?') {
        ok = true;
      } else if (pc == '[') {
        STACK_TRY(match_class(pat, next, name[n], ok));
      } else if (pc == '\\' && p + 1 < pat.size()) {
        ok = pat[p + 1] == name[n];
        next = p + 2;
      } else {
        ok = pc == name[n];
      }
      if (ok) {
        p = next;
        ++n;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    n = ++star_n;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  size_t b = 0;
  while (b <= path.size()) {
    size_t e = path.find('/', b);
    if (e == std::string_view::npos) e = path.size();
    if (e > b) out.push_back(path.substr(b, e - b));
    b = e + 1;
  }
  return out;
}

std::string clean_path(std::string_view path) {
  std::vector<std::string_view> out;
  for (std::string_view part : split_path(path)) {
    if (part == ".") continue;
    if (part == ".." && !out.empty() && out.back() != "..") {
      out.pop_back();
      continue;
    }
    out.push_back(part);
  }
  std::string s;
  for (auto part : out) s += (s.empty() ? "" : "/") + std::string(part);
  return s;
}

Result<PathPattern> PathPattern::parse(std::string_view text) {
  PathPattern p;
  p.text_ = clean_path(text);
  for (auto part : split_path(p.text_)) {
    p.parts_.emplace_back(part);
    if (part.find_first_of("*?[\\") != std::string_view::npos) p.wild_ = true;
    if (part != "**") STACK_TRY(match_component(part, "x"));  // rejects a malformed class now
  }
  return p;
}

bool PathPattern::match_from(size_t pi, const std::vector<std::string_view>& names, size_t ni) const {
  if (pi == parts_.size()) return ni == names.size();
  if (parts_[pi] == "**") {
    for (size_t k = ni; k <= names.size(); ++k) {
      if (match_from(pi + 1, names, k)) return true;
    }
    return false;
  }
  if (ni == names.size()) return false;
  auto m = match_component(parts_[pi], names[ni]);
  return m && *m && match_from(pi + 1, names, ni + 1);
}

bool PathPattern::matches(std::string_view path) const { return match_from(0, split_path(path), 0); }

bool PathPattern::matches_self_or_parent(std::string_view path) const {
  auto names = split_path(path);
  for (size_t n = names.size(); n > 0; --n) {
    std::vector<std::string_view> prefix(names.begin(), names.begin() + static_cast<long>(n));
    if (match_from(0, prefix, 0)) return true;
  }
  return false;
}

}  // namespace stack::build
