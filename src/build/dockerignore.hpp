// .dockerignore: one pattern per line ('#' comments, blank lines skipped), '!' re-includes, the
// last matching line wins, and a pattern that matches a directory excludes what is below it.
// Patterns are PathPatterns (glob.hpp): Go's filepath.Match per component, plus '**'.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "build/glob.hpp"

namespace stack::build {

class IgnoreRules {
 public:
  // An error names the line: ".dockerignore:3: syntax error in pattern '[a'".
  static Result<IgnoreRules> parse(std::string_view text, const std::string& label = ".dockerignore");

  // A context-relative, cleaned path ("src/main.go").
  bool excluded(std::string_view path) const;
  // False when no '!' rule exists: an excluded directory can then be skipped whole.
  bool has_exceptions() const { return exceptions_; }
  bool empty() const { return rules_.empty(); }

 private:
  struct Rule {
    PathPattern pattern;
    bool exclude = true;
  };
  std::vector<Rule> rules_;
  bool exceptions_ = false;
};

// The ignore file for a Dockerfile: "<dockerfile>.dockerignore" beside it if present, else
// "<context>/.dockerignore"; empty rules when neither exists.
Result<IgnoreRules> load_ignore_rules(const std::string& context_dir, const std::string& dockerfile_path);
// A named context's: only "<dir>/.dockerignore" (no Dockerfile belongs to it), as BuildKit reads it.
Result<IgnoreRules> load_dir_ignore_rules(const std::string& dir);

}  // namespace stack::build
