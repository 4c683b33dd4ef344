// Typed reads from the raw tree for normalisation: "expect a string / integer / bool / list / map
// at this key path, else a diagnostic at the offending node". Every reader returns nullopt after
// reporting, so callers simply skip the field and carry on collecting further errors.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "spec/diagnostic.hpp"
#include "spec/model.hpp"
#include "spec/node.hpp"

namespace stack::spec {

// Key paths in compose style: join_path("services.web", "ports") -> "services.web.ports",
// index_path("services.web.ports", 1) -> "services.web.ports[1]".
std::string join_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, size_t index);

// "a mapping", "a list", "a string", "a number", "a boolean" or "null", for type errors.
std::string describe(const Node& node);

// True for the scalars that compose reads as booleans (y/yes/true/on, n/no/false/off, any case).
std::optional<bool> bool_text(std::string_view text);

// Adds "expected <what>, got <describe(node)>" at node.
void type_error(const Node& node, const std::string& path, std::string_view what, Diagnostics& diags);

// Reports every key of `mapping` that is not in `known`, with a did-you-mean; "x-*" keys are
// extensions and pass when allow_extensions is set.
void check_keys(const Node& mapping, const std::string& path,
                std::span<const std::string_view> known, Diagnostics& diags,
                bool allow_extensions = true);

bool expect_mapping(const Node& node, const std::string& path, Diagnostics& diags);
bool expect_sequence(const Node& node, const std::string& path, Diagnostics& diags);

// Any scalar, as its text (numbers and booleans too, as compose does after interpolation).
std::optional<std::string> read_string(const Node& node, const std::string& path, Diagnostics& diags);
std::optional<bool> read_bool(const Node& node, const std::string& path, Diagnostics& diags);
std::optional<int64_t> read_int(const Node& node, const std::string& path, Diagnostics& diags,
                                int64_t min = std::numeric_limits<int64_t>::min(),
                                int64_t max = std::numeric_limits<int64_t>::max());
std::optional<double> read_double(const Node& node, const std::string& path, Diagnostics& diags,
                                  double min = 0);
std::optional<Duration> read_duration(const Node& node, const std::string& path, Diagnostics& diags);
// A size: a plain integer is bytes, a string goes through util::parse_bytes.
std::optional<int64_t> read_bytes(const Node& node, const std::string& path, Diagnostics& diags);

// A list of scalars; with allow_scalar a single scalar is a one-element list.
std::optional<std::vector<std::string>> read_string_list(const Node& node, const std::string& path,
                                                         Diagnostics& diags,
                                                         bool allow_scalar = false);

// A mapping of scalars, or a list of "KEY=VALUE" ("KEY" alone = "") as labels, sysctls and
// driver_opts are written. A null mapping value is "".
std::optional<std::map<std::string, std::string>> read_string_map(const Node& node,
                                                                  const std::string& path,
                                                                  Diagnostics& diags);

// A container path as compose compares and prints it: "/etc/pihole/" and "/etc//pihole/." are
// "/etc/pihole"; "/" stays "/". Relative paths are cleaned the same way.
std::string clean_container_path(std::string_view path);

// Parses an integer from text with a range check; nullopt on any junk.
std::optional<int64_t> parse_int(std::string_view text);

Location location_of(const Node& node, std::string path);

}  // namespace stack::spec
