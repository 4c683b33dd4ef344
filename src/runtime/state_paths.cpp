#include "runtime/state_paths.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>

#include "util/fd.hpp"

namespace stack::runtime {

using util::Errc;
using util::Error;

std::string StatePaths::container_dir(std::string_view id) const {
  return containers_dir() + "/" + std::string(id);
}

std::string StatePaths::log_file(std::string_view id) const {
  return container_dir(id) + "/" + std::string(id) + "-json.log";
}

std::string StatePaths::rotated_log_file(std::string_view id, int n) const {
  if (n <= 0) return log_file(id);
  return log_file(id) + "." + std::to_string(n);
}

std::string StatePaths::socket_file(std::string_view id) const {
  return run_dir() + "/" + std::string(id) + ".sock";
}

util::Result<void> check_container_id(std::string_view id) {
  auto bad = [&](const char* why) {
    return Error(Errc::invalid_argument, "container id '" + std::string(id) + "' " + why);
  };
  if (id.empty() || id.size() > 64) return bad("must be 1 to 64 characters long");
  if (!std::isalnum(static_cast<unsigned char>(id.front()))) {
    return bad("must start with a letter or a digit");
  }
  for (char c : id) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    if (!ok) return bad("may hold only letters, digits, '_', '.' and '-'");
  }
  return util::ok();
}


}  // namespace stack::runtime
