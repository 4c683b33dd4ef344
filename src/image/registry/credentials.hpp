// Registry credentials from the docker client's config file, as `docker login` leaves them:
//   $DOCKER_CONFIG/config.json, else ~/.docker/config.json
//   {"auths": {"registry.example:5000": {"auth": "<base64 user:password>"},
//              "https://index.docker.io/v1/": {"username": "u", "password": "p"}}}
// Keys may carry a scheme and a path; docker.io matches its historical names (index.docker.io).
// Credential helpers (credsStore, credHelpers) are not run.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::image::registry {

struct Credentials {
  std::string username;
  std::string password;
  bool operator==(const Credentials&) const = default;
};

// The credentials for domain ("docker.io", "localhost:5000") in a config.json text; none when absent.
util::Result<std::optional<Credentials>> credentials_from_config(std::string_view json, std::string_view domain);

// DOCKER_CONFIG (a directory) or $HOME/.docker.
std::string docker_config_dir();

// Reads <docker_config_dir()>/config.json; a missing file means no credentials.
util::Result<std::optional<Credentials>> load_credentials(std::string_view domain);

std::string base64_encode(std::string_view data);
// Standard alphabet, padding optional; anything else is an error.
util::Result<std::string> base64_decode(std::string_view text);

}  // namespace stack::image::registry
