// Variable interpolation as compose does it: $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?msg},
// ${VAR?msg}, ${VAR:+alt}, ${VAR+alt}, $$ -> $. Defaults may themselves contain ${...}.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "spec/diagnostic.hpp"
#include "spec/load.hpp"

namespace stack::spec {

// Interpolates one string. On failure returns nullopt and sets *error to a one-line message
// (e.g. "required variable DB_PASSWORD is missing a value: set it in .env").
std::optional<std::string> interpolate_string(std::string_view text, const Environment& env,
                                              std::string* error);

// Interpolates every scalar value (not keys) of the tree in place; each failure becomes a
// diagnostic at the scalar's position with its key path.
void interpolate_tree(Node& root, const Environment& env, Diagnostics& diags);

}  // namespace stack::spec
