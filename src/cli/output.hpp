// Printing documents for the user: the resolved model (or any JSON value) as YAML
// (spec/yaml_emit.hpp: yaml-cpp stays inside src/spec) or JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "spec/yaml_emit.hpp"

namespace stack::cli {

enum class Format { yaml, json };

// "yaml" / "json" -> Format; nullopt for anything else.
std::optional<Format> parse_format(std::string_view text);

// Indented JSON (two spaces) ending with a newline; invalid UTF-8 is replaced, never thrown on.
std::string to_json_text(const nlohmann::json& value);

std::string format_document(const nlohmann::json& value, Format format);

}  // namespace stack::cli
