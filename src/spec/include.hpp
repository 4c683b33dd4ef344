// `include` as compose applies it: each entry (a path, or {path, project_directory, env_file})
// loads another project (its files merged as -f files are, interpolated with its own env files
// under the including environment, its own includes and extends applied, its relative paths made
// absolute against its project directory), and adds its services, networks, volumes, secrets and
// configs to the including file. A resource the including file (or an earlier include) already
// defines is merged over the included one, as compose-go does since it allowed an importing file
// to override an included resource.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "spec/diagnostic.hpp"
#include "spec/load.hpp"
#include "spec/node.hpp"

namespace stack::spec {

struct IncludeContext {
  const Environment* environment = nullptr;  // the including file's interpolation environment
  Diagnostics* diags = nullptr;
  std::set<std::string>* warned = nullptr;
  std::vector<std::string> chain;             // the files that include this one, outermost first
};

// Applies the `include` of `root` (read from `file`; relative paths resolve in `dir`) in place and
// removes the key.
void apply_include(Node& root, const std::string& file, const std::string& dir,
                   const IncludeContext& ctx);

}  // namespace stack::spec
