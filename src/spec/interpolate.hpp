// Variable interpolation as compose does it: $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?msg},
// ${VAR?msg}, ${VAR:+alt}, ${VAR+alt}, $$ -> $. Defaults may themselves contain ${...}.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>
#include <string_view>

#include "spec/diagnostic.hpp"
#include "spec/load.hpp"

namespace stack::spec {

// Interpolates one string. On failure returns nullopt and sets *error to a one-line message
// (e.g. "required variable DB_PASSWORD is missing a value: set it in .env"). The names of unset
// variables read without a default ($TAG, ${TAG}) are added to *unset, in order.
std::optional<std::string> interpolate_string(std::string_view text, const Environment& env,
                                              std::string* error,
                                              std::vector<std::string>* unset = nullptr);

// Interpolates every scalar value (not keys) of the tree in place; each failure becomes a
// diagnostic at the scalar's position with its key path. An unset variable without a default is
// a warning, once per name: `warned` carries the names already warned about across files.
void interpolate_tree(Node& root, const Environment& env, Diagnostics& diags,
                      std::set<std::string>* warned = nullptr);

// The warning compose gives for an unset variable read as blank.
std::string unset_variable_warning(const std::string& name);

}  // namespace stack::spec
