// Container logs for `logs` and attached `up`: reads the shims' json-file logs (rotated files
// first, oldest to newest), prints "<name>  | <line>" with the name coloured on a terminal, and
// follows the live files. A follower holds the file it reads open, as docker's does: when the shim
// rotates it, the rest of the held file is read to its end, then every file rotated after it, then
// the new live one, so a reader slower than the writer loses no line while the rotated files last.
#pragma once

#include <sys/types.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "util/fd.hpp"

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
    util::UniqueFd file;  // the file being read; its offset is where reading goes on
    ino_t inode = 0;
    std::string partial;
  };
  void emit(Source& source, const std::string& line);
  // Prints the complete lines read from fd to its end; a torn last line waits in partial.
  void drain(Source& source, int fd);
  void read_new(Source& source);
  // The live file is another than the held one: the rest of the held one, the files rotated
  // after it (oldest first), then the live one.
  void follow_rotation(Source& source);

  std::string root_;
  LogOptions options_;
  std::ostream& out_;
  std::vector<Source> sources_;
  size_t width_ = 0;
};

}  // namespace stack::cli
