// Content digests ("sha256:<64 hex>") and a streaming SHA-256 over OpenSSL EVP.
#pragma once

#include <compare>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "util/result.hpp"

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

bool is_sha256_hex(std::string_view hex);

// Streaming hasher; move-only.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  Digest finish();  // the hasher is reset afterwards

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace stack::image
