// The daemon's status socket: <root>/run/daemon.sock, a Unix stream socket that only root may
// open (the directory is 0700, the socket 0600). A client connects and reads one JSON document
// (status.hpp) to the end; it sends nothing. The daemon answers from its main loop: the document
// is a few KiB, written at once, so a slow client cannot hold the loop (the write times out).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "util/fd.hpp"
#include "util/result.hpp"

namespace stack::daemon {

std::string status_socket_path(const std::string& root);

class StatusServer {
 public:
  // Binds path (a stale socket of a dead daemon is replaced; a live one is a conflict error).
  static util::Result<StatusServer> listen(const std::string& path);
  StatusServer(StatusServer&&) = default;
  StatusServer& operator=(StatusServer&&) = default;
  ~StatusServer();

  int fd() const { return fd_.get(); }
  // Accepts one waiting client and writes document to it; a client that went away is not an error.
  void answer(const nlohmann::json& document);

 private:
  StatusServer(util::UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  util::UniqueFd fd_;
  std::string path_;
};

// Reads the running daemon's status; not_found when no daemon listens.
util::Result<nlohmann::json> query_status(const std::string& path);

}  // namespace stack::daemon
