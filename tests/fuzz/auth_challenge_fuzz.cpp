// libFuzzer target for WWW-Authenticate parsing (src/image/registry/auth_challenge): the bytes are
// the header a registry (or anything posing as one) sends. When it parses:
//   * the scheme is a non-empty lower-case token and every parameter name is lower case;
//   * the challenge written back as a header (values quoted, '"' and '\' escaped) parses to the
//     same scheme and parameters.
// A violated invariant aborts. Built and run by tests/fuzz/run.sh.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "image/registry/auth_challenge.hpp"

namespace {

using stack::image::registry::Challenge;
using stack::image::registry::parse_challenge;

void check(bool ok) {
  if (!ok) std::abort();
}

bool is_lower(std::string_view s) {
  for (char c : s) {
    if (std::tolower(static_cast<unsigned char>(c)) != static_cast<unsigned char>(c)) return false;
  }
  return true;
}

std::string quoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

std::string format(const Challenge& c) {
  std::string out = c.scheme;
  const char* separator = " ";
  for (const auto& [name, value] : c.params) {
    out += separator + name + "=" + quoted(value);
    separator = ", ";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view header(reinterpret_cast<const char*>(data), size);
  auto challenge = parse_challenge(header);
  if (!challenge) {
    check(!challenge.error().message().empty());
    return 0;
  }
  check(!challenge->scheme.empty() && is_lower(challenge->scheme));
  for (const auto& [name, value] : challenge->params) {
    check(is_lower(name));
    check(challenge->param(name) == value);
  }
  auto again = parse_challenge(format(*challenge));
  check(again.has_value());
  check(again->scheme == challenge->scheme && again->params == challenge->params);
  return 0;
}
