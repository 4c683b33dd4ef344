#include "build/secret_option.hpp"

#include <cstring>

#include "util/fd.hpp"

namespace stack::build {

using util::Errc;
using util::fail;

util::Result<std::pair<std::string, std::string>> read_secret_option(std::string_view value, const Getenv& getenv) {
  std::string id, src, env, type;
  const std::string whole(value);
  auto error = [&](const std::string& why) { return fail(Errc::invalid_argument, "--secret '" + whole + "': " + why); };
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) return error("expected KEY=VALUE items (id, src, env, type)");
    std::string_view key = item.substr(0, eq);
    std::string v(item.substr(eq + 1));
    if (key == "id") id = v;
    else if (key == "src" || key == "source") src = v;
    else if (key == "env") env = v;
    else if (key == "type") type = v;
    else return error("unknown key '" + std::string(key) + "' (id, src, env or type)");
  }
  if (id.empty()) return error("needs an id");
  if (!type.empty() && type != "file" && type != "env") return error("type must be file or env");
  if (!src.empty() && !env.empty()) return error("give src or env, not both");
  // type= names what a lone src= or id= is, as buildx reads it.
  if (type == "env" && env.empty()) env = src.empty() ? id : src, src.clear();
  if (type == "file" && src.empty()) src = id;
  if (src.empty() && env.empty()) {
    if (getenv(id.c_str()) == nullptr) return error("give src=FILE or env=VARIABLE (no variable '" + id + "' is set)");
    env = id;
  }
  if (!env.empty()) {
    const char* content = getenv(env.c_str());
    if (content == nullptr) return error("the environment variable '" + env + "' is not set");
    return std::pair{id, std::string(content)};
  }
  auto content = util::read_file(src, kMaxSecretSize);
  if (!content && content.error().code() == Errc::parse) return error("'" + src + "' is larger than 500 KiB");
  if (!content) return error("cannot read '" + src + "': " + std::strerror(content.error().sys_errno()));
  return std::pair{id, std::move(*content)};
}

}  // namespace stack::build
