#include "daemon/status_socket.hpp"
#include "util/state_root.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace stack::daemon {

using util::Errc;
using util::Error;
using util::Result;
using util::UniqueFd;

namespace {

Result<sockaddr_un> address_of(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) {
    return Error(Errc::invalid_argument, "socket path '" + path + "' is too long");
  }
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  return sa;
}

Result<UniqueFd> unix_socket() {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return Error::from_errno("socket");
  return fd;
}

void set_timeouts(int fd, int seconds) {
  timeval tv{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

std::string status_socket_path(const std::string& root) {
  return util::StateRoot(root).daemon_socket();
}

Result<StatusServer> StatusServer::listen(const std::string& path) {
  STACK_ASSIGN_OR_RETURN(sockaddr_un sa, address_of(path));
  std::error_code ec;
  const auto dir = std::filesystem::path(path).parent_path();
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error(Errc::io, "create '" + dir.string() + "': " + ec.message());
  ::chmod(dir.c_str(), 0700);
  // A socket file left by a daemon that died: nothing accepts on it, so connecting is refused.
  if (std::filesystem::exists(path, ec)) {
    if (query_status(path)) return Error(Errc::conflict, "another daemon answers on '" + path + "'");
    ::unlink(path.c_str());
  }
  STACK_ASSIGN_OR_RETURN(UniqueFd fd, unix_socket());
  const mode_t old = ::umask(0177);
  int bound = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
  int err = errno;
  ::umask(old);
  if (bound != 0) return Error::from_errno("bind '" + path + "'", err);
  if (::listen(fd.get(), 16) != 0) return Error::from_errno("listen '" + path + "'");
  return StatusServer(std::move(fd), path);
}

StatusServer::~StatusServer() {
  if (fd_) ::unlink(path_.c_str());
}

void StatusServer::answer(const nlohmann::json& document) {
  UniqueFd client(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!client) return;
  set_timeouts(client.get(), 1);
  (void)util::write_all(client.get(), document.dump() + "\n");
}

Result<nlohmann::json> query_status(const std::string& path) {
  STACK_ASSIGN_OR_RETURN(sockaddr_un sa, address_of(path));
  STACK_ASSIGN_OR_RETURN(UniqueFd fd, unix_socket());
  set_timeouts(fd.get(), 5);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
    if (errno == ENOENT || errno == ECONNREFUSED) {
      return Error(Errc::not_found, "no daemon is running (nothing answers on '" + path + "')");
    }
    return Error::from_errno("connect '" + path + "'");
  }
  STACK_ASSIGN_OR_RETURN(std::string text, util::read_to_end(fd.get()));
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return Error(Errc::parse, "the daemon's status on '" + path + "' is not JSON");
  return j;
}

}  // namespace stack::daemon
