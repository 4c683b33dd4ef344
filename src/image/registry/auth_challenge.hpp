// WWW-Authenticate challenges (RFC 7235) as registries send them:
//   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:x:pull"
//   Basic realm="Registry Realm"
// Pure parsing, unit-tested.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::image::registry {

struct Challenge {
  std::string scheme;                         // lower-case: "bearer", "basic"
  std::map<std::string, std::string> params;  // lower-case names, unquoted values

  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

// The first challenge of the header; an empty or malformed header is an error.
util::Result<Challenge> parse_challenge(std::string_view header);

}  // namespace stack::image::registry
