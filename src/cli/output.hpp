// Printing documents for the user: the resolved model (or any JSON value) as YAML or JSON.
// YAML is produced from the JSON through yaml-cpp's emitter, block style as compose prints it,
// with every string that YAML would read back as something else (8080, yes, 1e3, 80:80) quoted.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace stack::cli {

enum class Format { yaml, json };

// "yaml" / "json" -> Format; nullopt for anything else.
std::optional<Format> parse_format(std::string_view text);

// Block-style YAML ending with a newline.
std::string to_yaml(const nlohmann::json& value);

// Indented JSON (two spaces) ending with a newline; invalid UTF-8 is replaced, never thrown on.
std::string to_json_text(const nlohmann::json& value);

std::string format_document(const nlohmann::json& value, Format format);

// True when a plain YAML scalar with this text would not load back as the same string
// (YAML 1.1 and 1.2 booleans, numbers, octal/hex, sexagesimal "80:80", infinities and NaNs).
bool needs_yaml_quotes(std::string_view text);

}  // namespace stack::cli
