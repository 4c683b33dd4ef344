#include "util/sha256.hpp"

#include <openssl/evp.h>
#include <sha2.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "util/shared_library.hpp"

namespace stack::util {

namespace {

struct LibCrypto {
  SharedLibrary library;  // stays loaded for the life of the process
  decltype(&::EVP_MD_CTX_new) ctx_new = nullptr;
  decltype(&::EVP_MD_CTX_free) ctx_free = nullptr;
  decltype(&::EVP_sha256) sha256 = nullptr;
  decltype(&::EVP_DigestInit_ex) init = nullptr;
  decltype(&::EVP_DigestUpdate) update = nullptr;
  decltype(&::EVP_DigestFinal_ex) final = nullptr;
};

Result<LibCrypto> load() {
  LibCrypto l;
  // The same soname as libssl's dependency: a pull that loads libcurl shares this one copy.
  STACK_ASSIGN_OR_RETURN(l.library, SharedLibrary::open("libcrypto.so.3", "libssl3"));
  STACK_TRY(l.library.bind("EVP_MD_CTX_new", l.ctx_new));
  STACK_TRY(l.library.bind("EVP_MD_CTX_free", l.ctx_free));
  STACK_TRY(l.library.bind("EVP_sha256", l.sha256));
  STACK_TRY(l.library.bind("EVP_DigestInit_ex", l.init));
  STACK_TRY(l.library.bind("EVP_DigestUpdate", l.update));
  STACK_TRY(l.library.bind("EVP_DigestFinal_ex", l.final));
  return l;
}

const LibCrypto& libcrypto() {
  static const LibCrypto loaded = [] {
    auto l = load();
    if (!l) {
      std::fprintf(stderr, "stack: %s\n", l.error().message().c_str());
      std::_Exit(1);
    }
    return std::move(*l);
  }();
  return loaded;
}

// Only an allocation failure inside OpenSSL makes these calls fail: nothing to go on with.
void check(bool ok) {
  if (!ok) std::abort();
}

EVP_MD_CTX* md(void* ctx) { return static_cast<EVP_MD_CTX*>(ctx); }

}  // namespace

Sha256::Sha256() {
  const LibCrypto& c = libcrypto();
  ctx_ = c.ctx_new();
  check(ctx_ != nullptr && c.init(md(ctx_), c.sha256(), nullptr) == 1);
}

Sha256::~Sha256() {
  if (ctx_ != nullptr) libcrypto().ctx_free(md(ctx_));
}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  if (this != &other) {
    if (ctx_ != nullptr) libcrypto().ctx_free(md(ctx_));
    ctx_ = other.ctx_;
    other.ctx_ = nullptr;
  }
  return *this;
}

void Sha256::update(const void* data, std::size_t size) {
  if (size > 0) check(libcrypto().update(md(ctx_), data, size) == 1);
}

std::string Sha256::finish_hex() {
  const LibCrypto& c = libcrypto();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  check(c.final(md(ctx_), digest, &length) == 1 && c.init(md(ctx_), c.sha256(), nullptr) == 1);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

std::string sha256_hex(std::string_view data) {
  char hex[SHA256_DIGEST_STRING_LENGTH];
  ::SHA256Data(reinterpret_cast<const std::uint8_t*>(data.data()), data.size(), hex);
  return std::string(hex, SHA256_DIGEST_STRING_LENGTH - 1);
}

bool is_sha256_hex(std::string_view hex) {
  if (hex.size() != 64) return false;
  for (char c : hex) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!ok) return false;
  }
  return true;
}

Result<std::string> parse_sha256_digest(std::string_view text) {
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
    return fail(Errc::invalid_argument, "invalid digest '" + std::string(text) + "': want 64 lower-case hex digits");
  }
  return std::string(hex);
}

}  // namespace stack::util
