// SHA-256 two ways. The streaming hasher (image layers, blobs: megabytes) uses OpenSSL's libcrypto,
// whose SHA extensions are several times faster than plain C, opened on first use rather than
// linked into `stack`: relocating libcrypto cost every command about 2 ms at startup (a hundred
// copy-on-write pages). The one-shot sha256_hex (names, config hashes: a few hundred bytes) uses
// libmd, linked statically, so that `run` and `up` never load libcrypto at all (10 ms of
// `stack run --rm`: docs/performance.md, "Without libcrypto on the path of run").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::util {

// A streaming hasher; move-only. The first one made in a process loads libcrypto.so.3; where it
// cannot be loaded (a broken installation: package libssl3), the process prints one line naming
// the library and exits with status 1, as the dynamic loader would have refused to start it.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&& other) noexcept : ctx_(other.ctx_) { other.ctx_ = nullptr; }
  Sha256& operator=(Sha256&& other) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // The digest as 64 lower-case hex digits; the hasher starts over afterwards.
  std::string finish_hex();

 private:
  void* ctx_ = nullptr;  // EVP_MD_CTX
};

// The digest of a short string, as 64 lower-case hex digits; never loads libcrypto.
std::string sha256_hex(std::string_view data);

// 64 lower-case hex digits.
bool is_sha256_hex(std::string_view hex);
// "sha256:<64 lower-case hex>" -> the hex; anything else is an error naming the text (the text of
// image::Digest::parse and of image references, util/image_reference.hpp).
Result<std::string> parse_sha256_digest(std::string_view text);

}  // namespace stack::util
