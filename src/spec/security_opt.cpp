#include "spec/security_opt.hpp"

#include <algorithm>

namespace stack::spec {

SecurityOpt split_security_opt(std::string_view text) {
  size_t sep = text.find('=');
  if (sep == std::string_view::npos) sep = text.find(':');
  if (sep == std::string_view::npos) return SecurityOpt{std::string(text), "", false};
  return SecurityOpt{std::string(text.substr(0, sep)), std::string(text.substr(sep + 1)), true};
}

std::optional<bool> parse_go_bool(std::string_view text) {
  static constexpr std::string_view kTrue[] = {"1", "t", "T", "TRUE", "true", "True"};
  static constexpr std::string_view kFalse[] = {"0", "f", "F", "FALSE", "false", "False"};
  if (std::find(std::begin(kTrue), std::end(kTrue), text) != std::end(kTrue)) return true;
  if (std::find(std::begin(kFalse), std::end(kFalse), text) != std::end(kFalse)) return false;
  return std::nullopt;
}

}  // namespace stack::spec
