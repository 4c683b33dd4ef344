#include "build/ssh_option.hpp"

#include <sys/stat.h>

#include <filesystem>

namespace stack::build {

using util::Errc;
using util::fail;

util::Result<std::pair<std::string, std::string>> read_ssh_option(std::string_view value, const Getenv& getenv) {
  const std::string text(value);
  size_t eq = value.find('=');
  std::string id(value.substr(0, eq));
  std::string path = eq == std::string_view::npos ? "" : std::string(value.substr(eq + 1));
  if (id.empty()) return fail(Errc::invalid_argument, "--ssh '" + text + "': expected ID[=SOCKET] (default, or default=/path/to/agent.sock)");
  if (path.find(',') != std::string::npos) {
    return fail(Errc::unsupported, "--ssh '" + text + "': one socket per id (several paths are key files, which are not supported: ssh-add them to an agent)");
  }
  if (path.empty()) {
    const char* sock = getenv("SSH_AUTH_SOCK");
    if (!sock || !*sock) return fail(Errc::not_found, "--ssh '" + text + "': SSH_AUTH_SOCK is not set (start ssh-agent, or give the socket: " + id + "=SOCKET)");
    path = sock;
  }
  std::error_code ec;
  std::string absolute = std::filesystem::absolute(path, ec).lexically_normal().string();
  struct stat st {};
  if (::stat(absolute.c_str(), &st) != 0) return fail(Errc::not_found, "--ssh '" + text + "': '" + path + "'", errno);
  if (!S_ISSOCK(st.st_mode)) {
    return fail(Errc::unsupported, "--ssh '" + text + "': '" + path + "' is not a socket (key files are not supported: ssh-add the key to an agent and give its socket)");
  }
  return std::pair{id, absolute};
}

}  // namespace stack::build
