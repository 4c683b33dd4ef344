// Path patterns as Go's filepath.Match reads them ('*', '?', '[a-z]', '[^a]', '\' escapes), per
// '/'-separated component, plus '**' for any number of components (moby's patternmatcher).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace stack::build {

using util::Result;

// One component against one name ("*.go" vs "main.go"); an error for a malformed class.
Result<bool> match_component(std::string_view pattern, std::string_view name);

class PathPattern {
 public:
  // The pattern is cleaned first: "./a//b/" -> "a/b", a leading "/" dropped.
  static Result<PathPattern> parse(std::string_view text);

  // The whole path ("a/b/c.txt", relative, cleaned).
  bool matches(std::string_view path) const;
  // The path or one of its parent directories.
  bool matches_self_or_parent(std::string_view path) const;
  bool has_wildcards() const { return wild_; }
  const std::string& text() const { return text_; }

 private:
  bool match_from(size_t pi, const std::vector<std::string_view>& parts, size_t ni) const;
  std::string text_;
  std::vector<std::string> parts_;
  bool wild_ = false;
};

// Lexical cleaning as Go's path.Clean, relative: "" or "." for the root, ".." kept when it leads.
std::string clean_path(std::string_view path);
std::vector<std::string_view> split_path(std::string_view path);

}  // namespace stack::build
