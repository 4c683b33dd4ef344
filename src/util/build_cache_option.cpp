#include "util/build_cache_option.hpp"

#include <map>

#include "util/image_reference.hpp"

namespace stack::util {

namespace {

constexpr const char* kKinds = "stack's step cache has its own format, kept in a directory (type=local), a "
                               "registry (type=registry,ref=IMAGE) or the image built (type=inline)";

Result<std::map<std::string, std::string>> split_fields(std::string_view value, const std::string& quoted) {
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
  return fields;
}

Result<CacheOption> registry_option(std::string_view ref, CacheDirection direction, const std::string& quoted) {
  auto parts = parse_image_reference(ref);
  if (!parts) return fail(Errc::invalid_argument, quoted + ": " + parts.error().message());
  if (direction == CacheDirection::to && parts->digest) {
    return fail(Errc::invalid_argument, quoted + ": a cache is exported under a tag, not a digest");
  }
  return CacheOption{CacheType::registry, std::string(ref)};
}

}  // namespace

Result<CacheOption> parse_cache_option(std::string_view value, CacheDirection direction) {
  const std::string quoted = "'" + std::string(value) + "'";
  const bool from = direction == CacheDirection::from;
  const std::string path_key = from ? "src" : "dest";
  if (value.find('=') == std::string_view::npos) return registry_option(value, direction, quoted);
  STACK_ASSIGN_OR_RETURN(auto fields, split_fields(value, quoted));
  auto type = fields.find("type");
  if (type == fields.end()) {
    return fail(Errc::invalid_argument, quoted + ": no type (type=local," + path_key + "=DIR or type=registry,ref=IMAGE)");
  }
  const bool registry = type->second == "registry";
  if (type->second == "inline") {
    if (from) {
      return fail(Errc::invalid_argument, quoted + ": an inline cache is read from the image it was built into: "
                                          "type=registry,ref=IMAGE");
    }
    if (fields.size() > 1) return fail(Errc::invalid_argument, quoted + ": type=inline takes no other field");
    return CacheOption{CacheType::in_image, ""};
  }
  if (type->second != "local" && !registry) {
    return fail(Errc::unsupported, quoted + ": type=" + type->second + " is not supported: " + kKinds);
  }
  const std::string location_key = registry ? "ref" : path_key;
  for (const auto& [key, v] : fields) {
    const bool known = key == "type" || key == location_key || (!from && key == "mode" && (v == "min" || v == "max"));
    if (!known) return fail(Errc::invalid_argument, quoted + ": unexpected field '" + key + "=" + v + "'");
  }
  auto location = fields.find(location_key);
  if (location == fields.end() || location->second.empty()) {
    return fail(Errc::invalid_argument, quoted + ": no " + location_key + (registry ? "=IMAGE" : "=DIR"));
  }
  if (registry) return registry_option(location->second, direction, quoted);
  return CacheOption{CacheType::local, location->second};
}

std::string cache_option_text(const CacheOption& option, CacheDirection direction) {
  if (option.type == CacheType::registry) return "type=registry,ref=" + option.location;
  if (option.type == CacheType::in_image) return "type=inline";
  return std::string("type=local,") + (direction == CacheDirection::from ? "src=" : "dest=") + option.location;
}

}  // namespace stack::util
