// Reads YAML text into a spec::Node tree: positions kept, anchors and aliases expanded, "<<" merge
// keys resolved (yaml-cpp does not), duplicate keys rejected. Hostile input is bounded: size,
// nesting depth and the node count after alias expansion all have limits.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "spec/diagnostic.hpp"
#include "spec/node.hpp"

namespace stack::spec {

struct ReadLimits {
  size_t max_bytes = 8u << 20;      // a stack file larger than this is refused
  size_t max_nodes = 1'000'000;     // nodes after alias expansion ("billion laughs")
  int max_depth = 128;              // nesting of mappings and sequences
};

// Parses text as the file named `file` (used in marks). On error adds diagnostics, returns nullopt.
std::optional<Node> read_yaml(std::string_view text, const std::string& file, Diagnostics& diags,
                              const ReadLimits& limits = {});

// Reads and parses a file; a missing or unreadable file is a diagnostic too.
std::optional<Node> read_yaml_file(const std::string& path, Diagnostics& diags,
                                   const ReadLimits& limits = {});

// Reads a stack file that another one names (extends.file, include): a file that cannot be read
// is reported at the naming node `at` with its key path; errors inside the file keep their own
// positions. Anything but a mapping at the top level is an error too.
std::optional<Node> read_named_yaml_file(const std::string& path, const Node& at,
                                         const std::string& key_path, Diagnostics& diags);

}  // namespace stack::spec
