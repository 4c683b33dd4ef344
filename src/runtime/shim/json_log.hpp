// The container's output in docker's json-file format, one JSON object per line:
//   {"log":"hello\n","stream":"stdout","time":"2026-11-28T04:12:01.123456789Z"}
// so that tools that read docker's logs read ours. Output is split at '\n'; a line without one is
// cut at 16 KiB as docker does. The file rotates by size: <id>-json.log -> .1 -> .2 ... and at most
// max_file files are kept, the live one included.
#pragma once

#include <time.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/shim/shim_config.hpp"
#include "util/fd.hpp"

namespace stack::runtime::shim {

inline constexpr std::size_t kMaxLogLine = 16 * 1024;

// RFC 3339 in UTC with nine fractional digits, as docker's RFC3339NanoFixed.
std::string format_rfc3339_nano(const struct timespec& t);
std::string now_rfc3339_nano();

// A JSON string literal (with the quotes), escaped as Go's encoder does: control characters,
// '"', '\\', and '<', '>', '&' as \u00XX; invalid UTF-8 becomes U+FFFD.
std::string json_quote(std::string_view text);

// One line of the log file, '\n' included.
std::string encode_log_entry(std::string_view log, std::string_view stream, std::string_view time);

// Cuts one stream into log entries: complete lines, or 16 KiB pieces of a longer one.
class LineSplitter {
 public:
  // Appends data and returns the entries that are complete now.
  std::vector<std::string> feed(std::string_view data);
  // What is left (a last line without '\n'), at end of stream. Empty if nothing.
  std::string flush();

 private:
  std::string pending_;
};

// base.N for N >= 1; base for 0.
std::string rotated_name(const std::string& base, int n);

class LogFile {
 public:
  // Opens (appending) base, the live file.
  static util::Result<LogFile> open(std::string base, LogOptions options);

  // Writes one encoded entry; rotates first when the live file has reached max_size.
  util::Result<void> write(std::string_view entry);
  std::int64_t size() const { return size_; }

 private:
  LogFile(std::string base, LogOptions options, util::UniqueFd fd, std::int64_t size)
      : base_(std::move(base)), options_(options), fd_(std::move(fd)), size_(size) {}
  util::Result<void> rotate();

  std::string base_;
  LogOptions options_;
  util::UniqueFd fd_;
  std::int64_t size_ = 0;
};

}  // namespace stack::runtime::shim
