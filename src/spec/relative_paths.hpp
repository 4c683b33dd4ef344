// Relative host paths of a definition made absolute against the directory they were written
// for. A service that `extends` one from another file, and every resource an `include` brings in,
// keeps the paths its own file meant (compose resolves them so), where the loader would otherwise
// resolve them against the project directory.
#pragma once

#include <string>

#include "spec/node.hpp"

namespace stack::spec {

// A service: bind sources of `volumes`, `env_file`, `build` contexts, develop.watch paths.
void absolutize_service_paths(Node& service, const std::string& dir);

// A whole file: every service, and `file` of top-level `secrets` and `configs`.
void absolutize_file_paths(Node& root, const std::string& dir);

}  // namespace stack::spec
