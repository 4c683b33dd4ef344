#include "build/dockerignore.hpp"

#include <fstream>
#include <initializer_list>
#include <sstream>

namespace stack::build {

using util::Errc;
using util::fail;

Result<IgnoreRules> IgnoreRules::parse(std::string_view text, const std::string& label) {
  IgnoreRules rules;
  int line_no = 0;
  size_t b = 0;
  while (b <= text.size()) {
    size_t e = text.find('\n', b);
    if (e == std::string_view::npos) e = text.size();
    std::string line(text.substr(b, e - b));
    b = e + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    line = line.substr(first, line.find_last_not_of(" \t") - first + 1);
    bool exclude = true;
    if (line[0] == '!') {
      exclude = false;
      line = line.substr(1);
      size_t f = line.find_first_not_of(" \t");
      line = f == std::string::npos ? "" : line.substr(f);
      if (line.empty()) return fail(Errc::parse, label + ":" + std::to_string(line_no) + ": '!' without a pattern");
    }
    auto pattern = PathPattern::parse(line);
    if (!pattern) return std::move(pattern).error().context(label + ":" + std::to_string(line_no));
    if (pattern->text().empty()) continue;  // "." or "/": docker ignores it too
    rules.exceptions_ |= !exclude;
    rules.rules_.push_back({std::move(*pattern), exclude});
  }
  return rules;
}

bool IgnoreRules::excluded(std::string_view path) const {
  bool out = false;
  for (const Rule& r : rules_) {
    if (r.exclude == out) continue;  // cannot change the answer
    if (r.pattern.matches_self_or_parent(path)) out = r.exclude;
  }
  return out;
}

namespace {

Result<IgnoreRules> first_ignore_file(std::initializer_list<std::string> candidates) {
  for (const std::string& candidate : candidates) {
    std::ifstream in(candidate);
    if (!in) continue;
    std::stringstream ss;
    ss << in.rdbuf();
    std::string label = candidate.substr(candidate.find_last_of('/') + 1);
    return IgnoreRules::parse(ss.str(), label);
  }
  return IgnoreRules();
}

}  // namespace

Result<IgnoreRules> load_ignore_rules(const std::string& context_dir, const std::string& dockerfile_path) {
  return first_ignore_file({dockerfile_path + ".dockerignore", context_dir + "/.dockerignore"});
}

Result<IgnoreRules> load_dir_ignore_rules(const std::string& dir) { return first_ignore_file({dir + "/.dockerignore"}); }

}  // namespace stack::build
