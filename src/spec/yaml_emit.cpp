#include "spec/yaml_emit.hpp"

#include <yaml-cpp/yaml.h>

#include <array>
#include <regex>

namespace stack::spec {

using nlohmann::json;

bool needs_yaml_quotes(std::string_view text) {
  static constexpr std::array<std::string_view, 22> kBooleans = {
      "y",    "Y",    "yes",  "Yes",   "YES",   "n",     "N",  "no", "No", "NO", "true",
      "True", "TRUE", "false", "False", "FALSE", "on",   "On", "ON", "off", "Off", "OFF"};
  for (std::string_view word : kBooleans) {
    if (text == word) return true;
  }
  // Numbers in every form a YAML 1.1 or 1.2 reader may resolve. Docker prints "8080:80" quoted
  // because YAML 1.1 reads digits and colons as a base-60 integer; so do we (for any such text).
  static const std::regex kNumber(
      R"([-+]?[0-9][0-9_]*(:[0-9_]+)*)"
      R"(|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?)"
      R"(|0o[0-7]+|0x[0-9a-fA-F_]+|0b[01_]+)"
      R"(|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
  return std::regex_match(text.begin(), text.end(), kNumber);
}

namespace {

void emit_string(YAML::Emitter& out, const std::string& text) {
  if (needs_yaml_quotes(text)) out << YAML::DoubleQuoted;
  out << text;
}

void emit(YAML::Emitter& out, const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      if (value.empty()) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key;
        emit_string(out, key);
        out << YAML::Value;
        emit(out, item);
      }
      out << YAML::EndMap;
      break;
    case json::value_t::array:
      if (value.empty()) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const json& item : value) emit(out, item);
      out << YAML::EndSeq;
      break;
    case json::value_t::string:
      emit_string(out, value.get_ref<const std::string&>());
      break;
    case json::value_t::boolean:
      out << value.get<bool>();
      break;
    case json::value_t::null:
    case json::value_t::discarded:
      out << YAML::Null;
      break;
    default:  // numbers: JSON's shortest round-trip text is valid YAML as it is
      out << value.dump();
      break;
  }
}

}  // namespace

std::string to_yaml(const json& value) {
  YAML::Emitter out;
  out.SetNullFormat(YAML::LowerNull);
  out.SetIndent(2);
  emit(out, value);
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

}  // namespace stack::spec
