#include "util/image_reference.hpp"

#include <cctype>

#include "util/sha256.hpp"

namespace stack::util {

namespace {

constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxTagLength = 128;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_word(char c) { return is_alnum(c) || c == '_'; }

// A path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
bool valid_component(std::string_view s) {
  size_t i = 0;
  for (;;) {
    size_t start = i;
    while (i < s.size() && is_lower_alnum(s[i])) ++i;
    if (i == start) return false;  // empty, or a separator not followed by alnum
    if (i == s.size()) return true;
    if (s[i] == '.') {
      ++i;
    } else if (s[i] == '_') {
      ++i;
      if (i < s.size() && s[i] == '_') ++i;
    } else if (s[i] == '-') {
      while (i < s.size() && s[i] == '-') ++i;
    } else {
      return false;
    }
  }
}

// One label: [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?
bool valid_label(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
  for (char c : s) {
    if (!is_alnum(c) && c != '-') return false;
  }
  return true;
}

bool valid_port(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// host[:port], where host is dot-separated labels or a bracketed IPv6 address.
bool valid_domain(std::string_view s) {
  std::string_view host = s;
  std::string_view port;
  bool has_port = false;
  if (s.starts_with('[')) {
    auto close = s.find(']');
    if (close == std::string_view::npos || close < 2) return false;
    for (char c : s.substr(1, close - 1)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':') return false;
    }
    host = {};
    if (close + 1 < s.size()) {
      if (s[close + 1] != ':') return false;
      port = s.substr(close + 2);
      has_port = true;
    }
  } else {
    if (auto colon = s.find(':'); colon != std::string_view::npos) {
      host = s.substr(0, colon);
      port = s.substr(colon + 1);
      has_port = true;
    }
    if (host.empty()) return false;
  }
  if (has_port && !valid_port(port)) return false;
  size_t start = 0;
  while (!host.empty()) {
    auto dot = host.find('.', start);
    if (!valid_label(host.substr(start, dot == std::string_view::npos ? dot : dot - start))) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

bool valid_tag(std::string_view s) {
  if (s.empty() || s.size() > kMaxTagLength || !is_word(s.front())) return false;
  for (char c : s) {
    if (!is_word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

bool has_upper(std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

// docker's splitDockerDomain: the first component is a registry only if it looks like one.
std::pair<std::string, std::string> split_domain(std::string_view name) {
  auto slash = name.find('/');
  if (slash != std::string_view::npos) {
    auto first = name.substr(0, slash);
    bool looks_like_host = first.find_first_of(".:") != std::string_view::npos ||
                           first == "localhost" || has_upper(first);
    if (looks_like_host) {
      std::string domain(first);
      if (domain == "index.docker.io") domain = kDefaultRegistry;
      return {domain, std::string(name.substr(slash + 1))};
    }
  }
  return {std::string(kDefaultRegistry), std::string(name)};
}

Result<void> validate_path(std::string_view path) {
  if (has_upper(path)) return fail(Errc::invalid_argument, "repository name must be lowercase");
  size_t start = 0;
  for (;;) {
    auto slash = path.find('/', start);
    auto component = path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (!valid_component(component)) {
      return fail(Errc::invalid_argument, "invalid repository path component '" +
                                              std::string(component) + "'");
    }
    if (slash == std::string_view::npos) return ok();
    start = slash + 1;
  }
}

}  // namespace

Result<ImageReferenceParts> parse_image_reference(std::string_view text) {
  auto bad = [&](std::string why) {
    return fail(Errc::invalid_argument, "invalid reference '" + std::string(text) + "': " + why);
  };
  if (text.empty()) return bad("empty");
  if (is_sha256_hex(text)) return bad("a 64-character hex string is an image id, not a name");
  ImageReferenceParts ref;
  std::string_view rest = text;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    auto digest = parse_sha256_digest(rest.substr(at + 1));
    if (!digest) return bad(digest.error().message());
    ref.digest = *digest;
    rest = rest.substr(0, at);
  }
  auto colon = rest.rfind(':');
  auto slash = rest.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    auto tag = rest.substr(colon + 1);
    if (!valid_tag(tag)) return bad("invalid tag '" + std::string(tag) + "'");
    ref.tag = std::string(tag);
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return bad("missing repository name");
  auto [domain, path] = split_domain(rest);
  if (!valid_domain(domain)) return bad("invalid registry '" + domain + "'");
  if (domain == kDefaultRegistry && path.find('/') == std::string::npos) path = "library/" + path;
  if (auto valid = validate_path(path); !valid) return bad(valid.error().message());
  if (domain.size() + 1 + path.size() > kMaxNameLength) {
    return bad("repository name is longer than 255 characters");
  }
  ref.domain = std::move(domain);
  ref.path = std::move(path);
  return ref;
}

}  // namespace stack::util
