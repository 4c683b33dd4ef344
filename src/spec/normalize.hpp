// The raw tree -> spec::Stack: every key checked for type and value (unknown keys get a
// did-you-mean), defaults applied, durations and sizes parsed, short syntaxes expanded.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "spec/diagnostic.hpp"
#include "spec/load.hpp"
#include "spec/model.hpp"

namespace stack::spec {

struct NormalizeContext {
  std::string project_name;  // already decided by load (-p, COMPOSE_PROJECT_NAME, name:, dir)
  std::string working_dir;   // relative bind sources and env_file paths resolve here
  std::vector<std::string> profiles;  // active profiles
  Environment environment;   // for `environment: [FOO]` (value from the shell) lookups
};

// Returns the Stack when no diagnostic was added.
std::optional<Stack> normalize(const Node& root, const NormalizeContext& ctx, Diagnostics& diags);

}  // namespace stack::spec
