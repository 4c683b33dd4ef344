#include "spec/hash.hpp"

#include <openssl/evp.h>

#include <array>
#include <memory>

#include "spec/serialize.hpp"

namespace stack::spec {

namespace {

std::string hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    text.push_back(kDigits[data[i] >> 4]);
    text.push_back(kDigits[data[i] & 0xf]);
  }
  return text;
}

// SHA-256 of bytes through EVP (the one-shot SHA256() is deprecated in OpenSSL 3). Failure here
// means an OpenSSL without SHA-256: not a state the program can run on, so abort loudly.
std::string sha256_hex(const std::string& bytes) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1) {
    std::abort();
  }
  return hex(digest.data(), length);
}

}  // namespace

nlohmann::json hashed_json(const Service& service) {
  nlohmann::json j = to_json(service);
  // The fields compose leaves out of its ServiceHash: they decide how many containers run, when
  // they start or where the image comes from, never what a container is.
  for (const char* key : {"depends_on", "profiles", "pull_policy", "build", "scale"}) j.erase(key);
  auto deploy = j.find("deploy");
  if (deploy != j.end()) {
    deploy->erase("replicas");
    if (deploy->empty()) j.erase(deploy);
  }
  return j;
}

std::string config_hash(const Service& service) {
  // dump() with no indent is canonical: keys sorted, no spaces, numbers printed one way. Bytes
  // that are not UTF-8 (an env value can hold anything) become U+FFFD instead of throwing.
  using nlohmann::json;
  return sha256_hex(hashed_json(service).dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace stack::spec
