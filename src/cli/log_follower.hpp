// Container logs for `logs` and attached `up`: reads the shims' json-file logs (rotated files
// first, oldest to newest), prints "<name>  | <line>" with the name coloured on a terminal, and
// follows the live files by polling (a rotation shows as a new inode and is read from its start).
#pragma once

#include <sys/types.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace stack::cli {

struct LogOptions {
  std::optional<size_t> tail;  // last N lines of each container
  bool timestamps = false;
  bool color = false;
  bool prefix = true;
};

class LogFollower {
 public:
  LogFollower(std::string root, LogOptions options, std::ostream& out);

  // Prints what the container logged so far (per tail) and follows it from there.
  void add(const std::string& container);
  bool has(const std::string& container) const;
  // Prints whatever was appended since the last call.
  void poll();

 private:
  struct Source {
    std::string container;
    std::string prefix;
    std::string path;
    ino_t inode = 0;
    off_t offset = 0;
    std::string partial;
  };
  void emit(Source& source, const std::string& line);
  void read_new(Source& source);

  std::string root_;
  LogOptions options_;
  std::ostream& out_;
  std::vector<Source> sources_;
  size_t width_ = 0;
};

}  // namespace stack::cli
