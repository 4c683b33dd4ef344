// `extends` as compose resolves it: a service starts from another one (in the same file, or in
// `file`, relative to the directory of the file that names it) and its own keys are merged on top
// with the override rules of merge.hpp. Chains are followed and cycles reported; a base from
// another file keeps its relative paths pointing where that file meant them, and its nodes keep
// their marks, so an error in an inherited key names the line of the extended definition.
#pragma once

#include <set>
#include <string>

#include "spec/diagnostic.hpp"
#include "spec/load.hpp"
#include "spec/node.hpp"

namespace stack::spec {

struct ExtendsContext {
  const Environment* environment = nullptr;  // interpolates the extended files
  Diagnostics* diags = nullptr;
  std::set<std::string>* warned = nullptr;   // unset variables already warned about
};

// Resolves every `extends` of the services of `root` (read from `file`, whose relative
// extends.file paths resolve in `dir`) in place; each `extends` key is removed.
void apply_extends(Node& root, const std::string& file, const std::string& dir,
                   const ExtendsContext& ctx);

}  // namespace stack::spec
