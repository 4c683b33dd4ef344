#include "cli/output.hpp"

namespace stack::cli {

using nlohmann::json;

std::optional<Format> parse_format(std::string_view text) {
  if (text == "yaml" || text == "yml") return Format::yaml;
  if (text == "json") return Format::json;
  return std::nullopt;
}

std::string to_json_text(const json& value) {
  return value.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string format_document(const json& value, Format format) {
  return format == Format::json ? to_json_text(value) : spec::to_yaml(value);
}

}  // namespace stack::cli
