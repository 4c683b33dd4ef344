// The content digest of a large file of a COPY source, remembered between builds, so that a step's
// cache key is computed without reading again a file that did not change (the layer writer then
// reads it once). The key stays content-based: a memo holds a file's SHA-256 under its identity
// (device, inode) and is used only while size, mtime and ctime (nanoseconds) are all the same.
// Every write to a file sets its ctime to the current time, and nothing can set it back; a file is
// remembered only when its ctime is already older than the clock's coarseness allows a write to
// hide behind (git's "racy clean" rule), so a later change always shows. `touch` alone makes the
// file be read again, never a different key.
//
//   ContentMemo memo(root + "/build-cache/files");
//   std::string hex = memo.sha256(path, st);  // read and hashed, or remembered
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <utility>

namespace stack::build {

class ContentMemo {
 public:
  // Smaller files are hashed every time: reading one costs what reading its memo would.
  static constexpr off_t kMinSize = 256 * 1024;
  // How much older than now a file's ctime must be to be remembered.
  static constexpr time_t kSettleSeconds = 2;

  // dir empty: nothing is remembered (every file is read).
  explicit ContentMemo(std::string dir = {}) : dir_(std::move(dir)) {}

  // The hex SHA-256 of the regular file at path, whose lstat is st; nullopt when it cannot be read.
  std::optional<std::string> sha256(const std::string& path, const struct stat& st) const;
  // The remembered digest of a large file, without reading it; nullopt when there is none.
  std::optional<std::string> remembered(const struct stat& st) const;
  // Remembers hex for the file of st (read by the caller, unchanged meanwhile), once settled.
  void remember(const struct stat& st, const std::string& hex) const;

  // The memo line for a file's identity and digest, and its reading back (pure; for tests).
  static std::string format(const struct stat& st, const std::string& hex);
  static std::optional<std::string> match(const std::string& line, const struct stat& st);
  static bool settled(const struct stat& st, time_t now);
  // Whether after (an fstat once the file was read) is still the file of before: same inode, size,
  // mtime and ctime (ns). Only then may what was read stand for the file.
  static bool unchanged(const struct stat& before, const struct stat& after);
  // A file's time (mtime, ctime) in nanoseconds, as the memos compare times.
  static int64_t nanoseconds(const struct timespec& t);
  // The memo file of a file's identity (device, inode).
  std::string entry_path(const struct stat& st) const;

 private:
  std::string dir_;
};

}  // namespace stack::build
