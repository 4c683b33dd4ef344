#include "runtime/shim/json_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

namespace stack::runtime::shim {

using util::Error;

std::string format_rfc3339_nano(const struct timespec& t) {
  struct tm tm {};
  ::gmtime_r(&t.tv_sec, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, t.tv_nsec);
  return buf;
}

std::string now_rfc3339_nano() {
  struct timespec t {};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return format_rfc3339_nano(t);
}

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (c >= 0xF5 || n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  unsigned char c1 = byte(i + 1);
  if (n == 3 && ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0))) return 0;  // overlong, surrogate
  if (n == 4 && ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90))) return 0;
  return n;
}

void append_escape(std::string& out, unsigned char c) {
  static const char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default:
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
  }
}

}  // namespace

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      bool plain = c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&';
      if (plain) out += static_cast<char>(c);
      else append_escape(out, c);
      ++i;
      continue;
    }
    std::size_t n = utf8_length(s, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  out += '"';
  return out;
}

std::string encode_log_entry(std::string_view log, std::string_view stream, std::string_view time) {
  std::string out = "{\"log\":" + json_quote(log) + ",\"stream\":" + json_quote(stream) +
                    ",\"time\":\"" + std::string(time) + "\"}\n";
  return out;
}

std::vector<std::string> LineSplitter::feed(std::string_view data) {
  pending_.append(data);
  std::vector<std::string> entries;
  std::size_t start = 0;
  while (start < pending_.size()) {
    std::size_t nl = pending_.find('\n', start);
    std::size_t end = nl == std::string::npos ? pending_.size() : nl + 1;
    if (nl == std::string::npos && end - start < kMaxLogLine) break;
    if (end - start > kMaxLogLine) end = start + kMaxLogLine;  // docker's partial message
    entries.emplace_back(pending_, start, end - start);
    start = end;
  }
  pending_.erase(0, start);
  return entries;
}

std::string LineSplitter::flush() {
  std::string rest;
  rest.swap(pending_);
  return rest;
}

std::string rotated_name(const std::string& base, int n) {
  return n <= 0 ? base : base + "." + std::to_string(n);
}

util::Result<LogFile> LogFile::open(std::string base, LogOptions options) {
  STACK_ASSIGN_OR_RETURN(util::UniqueFd fd,
                         util::UniqueFd::open(base, O_WRONLY | O_CREAT | O_APPEND, 0640));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Error::from_errno("stat '" + base + "'");
  if (options.max_file < 1) options.max_file = 1;
  return LogFile(std::move(base), options, std::move(fd), st.st_size);
}

util::Result<void> LogFile::rotate() {
  // Oldest first: .N-1 is dropped, each .k moves to .k+1, the live file becomes .1.
  int keep = options_.max_file - 1;
  if (keep >= 1) {
    ::unlink(rotated_name(base_, keep).c_str());
    for (int n = keep - 1; n >= 0; --n) {
      std::string from = rotated_name(base_, n);
      if (::rename(from.c_str(), rotated_name(base_, n + 1).c_str()) != 0 && errno != ENOENT) {
        return Error::from_errno("rotate '" + from + "'");
      }
    }
    STACK_ASSIGN_OR_RETURN(fd_, util::UniqueFd::open(base_, O_WRONLY | O_CREAT | O_APPEND, 0640));
  } else if (::ftruncate(fd_.get(), 0) != 0) {
    return Error::from_errno("truncate '" + base_ + "'");
  }
  size_ = 0;
  return util::ok();
}

util::Result<void> LogFile::write(std::string_view entry) {
  if (options_.max_size > 0 && size_ >= options_.max_size) STACK_TRY(rotate());
  STACK_TRY(util::write_all(fd_.get(), entry).context("writing '" + base_ + "'"));
  size_ += static_cast<std::int64_t>(entry.size());
  return util::ok();
}

}  // namespace stack::runtime::shim
