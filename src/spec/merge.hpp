// Merges stack files the way `docker compose -f a.yaml -f b.yaml` does: mappings recursively,
// command/entrypoint/healthcheck.test replaced, environment/labels/... merged by key, ports and
// volumes by their identity, other lists appended without duplicates.
#pragma once

#include "spec/node.hpp"

namespace stack::spec {

// Returns base with override applied on top.
Node merge_stack_files(Node base, const Node& override_file);

}  // namespace stack::spec
