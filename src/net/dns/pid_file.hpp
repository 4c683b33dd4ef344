// A pid file whose lock, not its content, says whether its process lives. The process takes an
// open-file-description lock (F_OFD_SETLK, write) for its whole life; the kernel drops it when the
// process dies, however it dies. Others test the lock with F_OFD_GETLK, which never takes it, so a
// test can not make a starting server fail. The pid in the file is only read once the lock says
// the process lives, so a recycled pid is never taken for the server.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "util/fd.hpp"
#include "util/result.hpp"

namespace stack::net::dns {

class PidFile {
 public:
  // Creates (or reuses) path, takes its lock and writes the calling process's pid. An
  // already_exists error naming the holder when another process holds it.
  static util::Result<PidFile> acquire(const std::string& path);

  // Unlinks the file while still holding the lock (a waiting acquirer notices and retries).
  void remove();

 private:
  PidFile(std::string path, util::UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  util::UniqueFd fd_;
};

// The pid of the live process that holds path's lock; nullopt when nobody does (or no file).
std::optional<pid_t> pid_file_holder(const std::string& path);

// Removes path if nobody holds its lock (debris of a process that was killed); false if absent
// or held.
bool remove_stale_pid_file(const std::string& path);

}  // namespace stack::net::dns
