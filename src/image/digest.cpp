#include "image/digest.hpp"

namespace stack::image {


Result<Digest> Digest::parse(std::string_view text) {
  STACK_ASSIGN_OR_RETURN(std::string hex, util::parse_sha256_digest(text));
  return Digest(std::move(hex));
}

Digest Digest::from_hex(std::string hex) { return Digest(std::move(hex)); }

Digest Digest::of(std::string_view data) { return Digest(util::sha256_hex(data)); }

}  // namespace stack::image
