// Cross-checks on a normalised Stack, each a small named function that reports every violation:
// unknown depends_on / network / volume targets, dependency cycles (printed as a path),
// duplicate container names, network_mode service targets, conflicting addresses.
#pragma once

#include "spec/diagnostic.hpp"
#include "spec/model.hpp"

namespace stack::spec {

void validate(const Stack& stack, Diagnostics& diags);

}  // namespace stack::spec
