#include "image/registry/credentials.hpp"

#include <cstdlib>
#include <vector>

#include <nlohmann/json.hpp>

#include "image/fs.hpp"
#include "util/fd.hpp"

namespace stack::image::registry {

using util::Errc;
using util::fail;

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// "https://index.docker.io/v1/" -> "index.docker.io"
std::string key_host(std::string_view key) {
  for (std::string_view scheme : {"https://", "http://"}) {
    if (key.starts_with(scheme)) key.remove_prefix(scheme.size());
  }
  return std::string(key.substr(0, key.find('/')));
}

std::vector<std::string> names_for(std::string_view domain) {
  if (domain == "docker.io") return {"docker.io", "index.docker.io", "registry-1.docker.io"};
  return {std::string(domain)};
}

util::Result<Credentials> entry_credentials(const nlohmann::json& entry, const std::string& key) {
  Credentials c;
  if (entry.contains("auth") && entry["auth"].is_string() && !entry["auth"].get<std::string>().empty()) {
    auto decoded = base64_decode(entry["auth"].get<std::string>());
    size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) {
      return fail(Errc::parse, "docker config: auths '" + key + "': 'auth' is not base64 of user:password");
    }
    c.username = decoded->substr(0, colon);
    c.password = decoded->substr(colon + 1);
    return c;
  }
  if (entry.contains("username") && entry["username"].is_string()) c.username = entry["username"];
  if (entry.contains("password") && entry["password"].is_string()) c.password = entry["password"];
  return c;
}

}  // namespace

util::Result<std::optional<Credentials>> credentials_from_config(std::string_view json, std::string_view domain) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return fail(Errc::parse, "docker config: not a JSON object");
  if (!doc.contains("auths") || !doc["auths"].is_object()) return std::optional<Credentials>{};
  for (const std::string& name : names_for(domain)) {
    for (const auto& [key, entry] : doc["auths"].items()) {
      if (key_host(key) != name || !entry.is_object()) continue;
      STACK_ASSIGN_OR_RETURN(Credentials c, entry_credentials(entry, key));
      if (c.username.empty() && c.password.empty()) continue;
      return std::optional<Credentials>(std::move(c));
    }
  }
  return std::optional<Credentials>{};
}

std::string docker_config_dir() {
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir != nullptr && *dir != 0) return dir;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "/root") + "/.docker";
}

util::Result<std::optional<Credentials>> load_credentials(std::string_view domain) {
  std::string path = docker_config_dir() + "/config.json";
  if (!path_exists(path)) return std::optional<Credentials>{};
  STACK_ASSIGN_OR_RETURN(std::string text, util::read_file(path, 1u << 20));
  return credentials_from_config(text, domain).context("'" + path + "'");
}

std::string base64_encode(std::string_view data) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    for (int s : {18, 12, 6, 0}) out += kAlphabet[(v >> s) & 63];
  }
  if (size_t rest = data.size() - i; rest > 0) {
    uint32_t v = uint8_t(data[i]) << 16;
    if (rest == 2) v |= uint8_t(data[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

util::Result<std::string> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) return fail(Errc::parse, "invalid base64");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace stack::image::registry
