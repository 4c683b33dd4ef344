#include "util/build_cache_option.hpp"

#include <map>

namespace stack::util {

Result<std::string> parse_cache_option(std::string_view value, CacheDirection direction) {
  const std::string quoted = "'" + std::string(value) + "'";
  const bool from = direction == CacheDirection::from;
  const std::string path_key = from ? "src" : "dest";
  if (value.find('=') == std::string_view::npos) {
    return fail(Errc::unsupported, quoted + ": an image reference is a registry cache, which stack does not read "
                                   "(its step cache has its own format): use type=local," + path_key + "=DIR");
  }
  std::map<std::string, std::string> fields;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    std::string_view field = value.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    size_t eq = field.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return fail(Errc::invalid_argument, quoted + ": expected KEY=VALUE fields, got '" + std::string(field) + "'");
    }
    fields[std::string(field.substr(0, eq))] = std::string(field.substr(eq + 1));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  auto type = fields.find("type");
  if (type == fields.end()) return fail(Errc::invalid_argument, quoted + ": no type (type=local," + path_key + "=DIR)");
  if (type->second != "local") {
    return fail(Errc::unsupported, quoted + ": type=" + type->second + " is not supported: stack's step cache has its "
                                   "own format and is exported to and imported from directories (type=local," +
                                   path_key + "=DIR)");
  }
  for (const auto& [key, v] : fields) {
    const bool known = key == "type" || key == path_key || (!from && key == "mode" && (v == "min" || v == "max"));
    if (!known) return fail(Errc::invalid_argument, quoted + ": unexpected field '" + key + "=" + v + "'");
  }
  auto dir = fields.find(path_key);
  if (dir == fields.end() || dir->second.empty()) {
    return fail(Errc::invalid_argument, quoted + ": no " + path_key + "=DIR");
  }
  return dir->second;
}

}  // namespace stack::util
