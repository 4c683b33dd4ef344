// `--secret` of `stack image build`, as docker buildx writes it, read into the id and the content
// that RUN --mount=type=secret,id=ID shows:
//
//   --secret id=npmrc,src=$HOME/.npmrc     a file (also source=, type=file)
//   --secret id=token,env=GITHUB_TOKEN     an environment variable (also type=env)
//   --secret id=GITHUB_TOKEN               the variable of that name
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "util/result.hpp"

namespace stack::build {

// Secrets are small (BuildKit takes up to 500 KiB); a larger file is a mistake, not a secret.
inline constexpr size_t kMaxSecretSize = 500 * 1024;

// getenv is a parameter so that tests need not change the process's environment.
using Getenv = std::function<const char*(const char*)>;
util::Result<std::pair<std::string, std::string>> read_secret_option(std::string_view value, const Getenv& getenv);

}  // namespace stack::build
