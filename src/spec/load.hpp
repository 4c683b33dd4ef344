// spec::load: stack files in, a validated spec::Stack (or every diagnostic) out.
// The pipeline: read each file (reader) -> interpolate (interpolate) -> apply its include and
// extends (include, extends) -> merge the files in order
// (merge) -> normalise into the model (normalize) -> cross-checks (validate).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spec/diagnostic.hpp"
#include "spec/model.hpp"

namespace stack::spec {

using Environment = std::map<std::string, std::string>;

struct LoadOptions {
  std::vector<std::string> files;      // -f, in order; empty = the default names in working_dir
  std::string working_dir;             // --project-directory; "" = the first file's directory
  std::string project_name;            // -p; "" = COMPOSE_PROJECT_NAME, name:, or the directory
  std::string fallback_project_name;   // instead of the directory's name (the daemon: the file's)
  std::vector<std::string> env_files;  // --env-file; empty = .env beside the first file
  std::vector<std::string> profiles;   // --profile (COMPOSE_PROFILES is read too)
  Environment environment;             // the shell environment; wins over the env files
};

struct LoadOutcome {
  std::optional<Stack> stack;  // set when diagnostics is empty
  Diagnostics diagnostics;
};

LoadOutcome load(const LoadOptions& options);

// The process environment as an Environment, for the CLI.
Environment process_environment();

}  // namespace stack::spec
