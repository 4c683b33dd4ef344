// Moves the container's stdout and stderr from two pipes into the json-file log. The shim's poll
// loop calls pump() for whichever pipe is readable, so entries keep the order in which the shim read
// them; within one stream the order is exact. Across the two streams it is the order of reading,
// which is what docker's json-file gives as well: two pipes carry no common clock.
#pragma once

#include <optional>
#include <string>

#include "runtime/shim/json_log.hpp"
#include "util/fd.hpp"

namespace stack::runtime::shim {

enum class Stream { out, err };

class LogPump {
 public:
  explicit LogPump(LogFile file) : file_(std::move(file)) {}

  // New pipes for the next run; returns the write ends that the container gets as stdout, stderr.
  util::Result<std::pair<util::UniqueFd, util::UniqueFd>> open_pipes();

  // With a tty: the terminal's master is the one source (the terminal merges stdout and stderr,
  // logged as stdout, as docker does); the pipes of open_pipes() are dropped.
  void use_terminal(util::UniqueFd master);

  // The read end of a stream, or -1 once it reached end of file.
  int fd(Stream stream) const;

  // Reads what is there (non-blocking) and logs the complete lines. False at end of file.
  util::Result<bool> pump(Stream stream);

  // At the end of a run: reads both pipes to end of file (bounded by timeout_ms), then logs the
  // last partial lines and closes the pipes.
  util::Result<void> drain(int timeout_ms);

 private:
  struct Channel {
    util::UniqueFd read;
    LineSplitter splitter;
  };
  Channel& channel(Stream s) { return s == Stream::out ? out_ : err_; }
  static const char* name(Stream s) { return s == Stream::out ? "stdout" : "stderr"; }
  util::Result<void> log(Stream stream, std::string_view text);

  LogFile file_;
  Channel out_;
  Channel err_;
};

}  // namespace stack::runtime::shim
