#include "image/registry/endpoint.hpp"

#include <cstdlib>

namespace stack::image::registry {

namespace {

// "host:port" -> "host"; "[::1]:5000" -> "::1".
std::string_view host_of(std::string_view domain) {
  if (domain.starts_with("[")) {
    size_t end = domain.find(']');
    return end == std::string_view::npos ? domain : domain.substr(1, end - 1);
  }
  return domain.substr(0, domain.find(':'));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_loopback(std::string_view domain) {
  std::string_view host = host_of(domain);
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

bool is_insecure(std::string_view domain, const std::vector<std::string>& insecure) {
  if (is_loopback(domain)) return true;
  for (const std::string& entry : insecure) {
    if (entry == domain) return true;
    bool has_port = entry.find(':') != std::string::npos && !entry.starts_with("[");
    if (!has_port && entry == host_of(domain)) return true;
  }
  return false;
}

Endpoint endpoint_for(std::string_view domain, const std::vector<std::string>& insecure) {
  Endpoint e;
  e.domain = std::string(domain);
  e.plain_http = is_insecure(domain, insecure);
  std::string host = domain == "docker.io" ? "registry-1.docker.io" : std::string(domain);
  e.base = (e.plain_http ? "http://" : "https://") + host;
  return e;
}

std::vector<std::string> split_insecure_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::vector<std::string> insecure_from_env() {
  const char* value = std::getenv(kInsecureEnv);
  return value == nullptr ? std::vector<std::string>{} : split_insecure_list(value);
}

std::string url_authority(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  size_t at = url.rfind('@');
  if (at != std::string_view::npos) url.remove_prefix(at + 1);
  return std::string(url);
}

}  // namespace stack::image::registry
