#include "image/registry/auth_challenge.hpp"

#include <cctype>

namespace stack::image::registry {

using util::Errc;
using util::fail;

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void skip_spaces(std::string_view& s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
}

// A token up to one of the stop characters.
std::string_view take_token(std::string_view& s, std::string_view stops) {
  size_t n = 0;
  while (n < s.size() && !is_space(s[n]) && stops.find(s[n]) == std::string_view::npos) ++n;
  std::string_view token = s.substr(0, n);
  s.remove_prefix(n);
  return token;
}

// A quoted string with backslash escapes; s starts after the opening quote.
util::Result<std::string> take_quoted(std::string_view& s) {
  std::string out;
  while (!s.empty()) {
    char c = s.front();
    s.remove_prefix(1);
    if (c == '"') return out;
    if (c == '\\' && !s.empty()) {
      c = s.front();
      s.remove_prefix(1);
    }
    out += c;
  }
  return fail(Errc::parse, "unterminated quoted string");
}

}  // namespace

util::Result<Challenge> parse_challenge(std::string_view header) {
  std::string_view s = header;
  skip_spaces(s);
  Challenge c;
  c.scheme = lower(take_token(s, ","));
  if (c.scheme.empty()) return fail(Errc::parse, "empty WWW-Authenticate header");
  for (;;) {
    skip_spaces(s);
    while (!s.empty() && s.front() == ',') {
      s.remove_prefix(1);
      skip_spaces(s);
    }
    if (s.empty()) break;
    std::string_view before = s;
    std::string name = lower(take_token(s, "=,"));
    skip_spaces(s);
    if (s.empty() || s.front() != '=') {
      // "Bearer realm=..., Basic realm=...": a second challenge starts; keep the first only.
      if (!name.empty() && s != before) break;
      return fail(Errc::parse, "malformed WWW-Authenticate header '" + std::string(header) + "'");
    }
    s.remove_prefix(1);
    skip_spaces(s);
    std::string value;
    if (!s.empty() && s.front() == '"') {
      s.remove_prefix(1);
      auto quoted = take_quoted(s);
      if (!quoted) return fail(Errc::parse, "malformed WWW-Authenticate header '" + std::string(header) + "'");
      value = std::move(*quoted);
    } else {
      value = std::string(take_token(s, ","));
    }
    c.params[name] = std::move(value);
  }
  return c;
}

}  // namespace stack::image::registry
