// SHA-256 over OpenSSL's libcrypto, opened on first use rather than linked into `stack`: relocating
// libcrypto cost every command about 2 ms at startup (a hundred copy-on-write pages), although only
// the verbs that name, hash or verify something use it; `ps`, `logs` and the DNS server do not.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

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

std::string sha256_hex(std::string_view data);

}  // namespace stack::util
