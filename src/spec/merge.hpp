// Merges stack files the way `docker compose -f a.yaml -f b.yaml` does: mappings recursively,
// command/entrypoint/healthcheck.test replaced, environment/labels/... merged by key, ports and
// volumes by their identity, other lists appended without duplicates.
#pragma once

#include <string_view>

#include "spec/node.hpp"

namespace stack::spec {

// Returns base with override applied on top.
Node merge_stack_files(Node base, const Node& override_file);

// One entry of a top-level section (a service, a network, ...) over another with the same rules:
// compose's `extends` merges services so, and `include` a local resource over an included one.
Node merge_entry(std::string_view section, Node base, const Node& over);

}  // namespace stack::spec
