#include "image/digest.hpp"

namespace stack::image {

using util::Errc;
using util::fail;

bool is_sha256_hex(std::string_view hex) {
  if (hex.size() != 64) return false;
  for (char c : hex) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!ok) return false;
  }
  return true;
}

Result<Digest> Digest::parse(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return fail(Errc::invalid_argument, "invalid digest '" + std::string(text) + "': missing algorithm");
  }
  auto algorithm = text.substr(0, colon);
  auto hex = text.substr(colon + 1);
  if (algorithm != "sha256") {
    return fail(Errc::unsupported, "unsupported digest algorithm '" + std::string(algorithm) + "'");
  }
  if (!is_sha256_hex(hex)) {
    return fail(Errc::invalid_argument,
                "invalid digest '" + std::string(text) + "': want 64 lower-case hex digits");
  }
  return Digest(std::string(hex));
}

Digest Digest::from_hex(std::string hex) { return Digest(std::move(hex)); }

Digest Digest::of(std::string_view data) { return Digest(util::sha256_hex(data)); }

}  // namespace stack::image
