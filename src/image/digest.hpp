// Content digests ("sha256:<64 hex>") and a streaming SHA-256 that yields them.
#pragma once

#include <compare>
#include <cstddef>
#include <string>
#include <string_view>

#include "util/result.hpp"
#include "util/sha256.hpp"

namespace stack::image {

using util::Result;

// A validated digest. Only sha256 is accepted: it is what every registry and image format uses.
class Digest {
 public:
  Digest() = default;
  // "sha256:<64 lower-case hex>"; anything else is an error naming the text.
  static Result<Digest> parse(std::string_view text);
  static Digest from_hex(std::string hex);  // hex must already be valid (internal use)
  static Digest of(std::string_view data);  // sha256 of a buffer

  const std::string& hex() const { return hex_; }
  std::string str() const { return "sha256:" + hex_; }
  // "sha256:ab12cd34ef56" for messages, as docker shortens ids.
  std::string short_str() const { return "sha256:" + hex_.substr(0, 12); }
  bool empty() const { return hex_.empty(); }

  auto operator<=>(const Digest&) const = default;

 private:
  explicit Digest(std::string hex) : hex_(std::move(hex)) {}
  std::string hex_;
};

using util::is_sha256_hex;

// Streaming hasher (util::Sha256) whose result is a Digest; move-only.
class Sha256 {
 public:
  void update(const void* data, size_t size) { hash_.update(data, size); }
  void update(std::string_view data) { hash_.update(data); }
  Digest finish() { return Digest::from_hex(hash_.finish_hex()); }  // the hasher starts over

 private:
  util::Sha256 hash_;
};

}  // namespace stack::image
