// YAML out of JSON values, through yaml-cpp's emitter (yaml-cpp stays inside src/spec): block
// style as compose prints it, with every string that YAML would read back as something else
// (8080, yes, 1e3, 80:80) quoted. Used for `config` and the Kubernetes export.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace stack::spec {

// Block-style YAML ending with a newline.
std::string to_yaml(const nlohmann::json& value);

// True when a plain YAML scalar with this text would not load back as the same string
// (YAML 1.1 and 1.2 booleans, numbers, octal/hex, sexagesimal "80:80", infinities and NaNs).
bool needs_yaml_quotes(std::string_view text);

}  // namespace stack::spec
