// Where a registry domain is reached: https://<domain>/v2/ by default ("docker.io" is served by
// registry-1.docker.io); plain http only for loopback registries (localhost, 127.0.0.0/8, [::1])
// and registries the user lists as insecure (PullOptions, or STACK_INSECURE_REGISTRIES, a
// comma-separated list of "host[:port]"; an entry without a port matches every port). Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace stack::image::registry {

struct Endpoint {
  std::string domain;  // as in the reference: "docker.io", "127.0.0.1:5000"
  std::string base;    // "https://registry-1.docker.io", "http://127.0.0.1:5000"
  bool plain_http = false;
};

inline constexpr const char* kInsecureEnv = "STACK_INSECURE_REGISTRIES";

bool is_loopback(std::string_view domain);
bool is_insecure(std::string_view domain, const std::vector<std::string>& insecure);
Endpoint endpoint_for(std::string_view domain, const std::vector<std::string>& insecure);

// "a:5000, b" -> {"a:5000", "b"}.
std::vector<std::string> split_insecure_list(std::string_view text);
// STACK_INSECURE_REGISTRIES of the process environment.
std::vector<std::string> insecure_from_env();

// The host part of a URL ("http://127.0.0.1:9/token" -> "127.0.0.1:9"); empty when not a URL.
std::string url_authority(std::string_view url);

}  // namespace stack::image::registry
