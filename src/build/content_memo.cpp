#include "build/content_memo.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <vector>

#include "util/atomic_file.hpp"
#include "util/fd.hpp"
#include "util/sha256.hpp"

namespace stack::build {

namespace {

// The file read and hashed through an open descriptor; nullopt if it cannot be read.
std::optional<std::string> hash_fd(int fd) {
  util::Sha256 h;
  std::vector<char> buf(256 * 1024);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    h.update(buf.data(), static_cast<size_t>(n));
  }
  return h.finish_hex();
}

}  // namespace

int64_t ContentMemo::nanoseconds(const struct timespec& t) {
  return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

std::string ContentMemo::format(const struct stat& st, const std::string& hex) {
  std::ostringstream out;
  out << "v1 " << st.st_dev << ' ' << st.st_ino << ' ' << st.st_size << ' ' << nanoseconds(st.st_mtim) << ' '
      << nanoseconds(st.st_ctim) << ' ' << hex << '\n';
  return out.str();
}

std::optional<std::string> ContentMemo::match(const std::string& line, const struct stat& st) {
  std::string want = format(st, "");
  want.pop_back();  // the newline: the digest follows
  if (!line.starts_with(want) || line.size() != want.size() + 64 + 1 || line.back() != '\n') return std::nullopt;
  std::string hex = line.substr(want.size(), 64);
  if (hex.find_first_not_of("0123456789abcdef") != std::string::npos) return std::nullopt;
  return hex;
}

bool ContentMemo::settled(const struct stat& st, time_t now) {
  return st.st_ctim.tv_sec + kSettleSeconds < now && st.st_mtim.tv_sec + kSettleSeconds < now;
}

bool ContentMemo::unchanged(const struct stat& before, const struct stat& after) {
  return after.st_ino == before.st_ino && after.st_size == before.st_size &&
         nanoseconds(after.st_mtim) == nanoseconds(before.st_mtim) && nanoseconds(after.st_ctim) == nanoseconds(before.st_ctim);
}

std::string ContentMemo::entry_path(const struct stat& st) const {
  return dir_ + "/" + util::sha256_hex(std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)).substr(0, 32);
}

std::optional<std::string> ContentMemo::remembered(const struct stat& st) const {
  if (dir_.empty() || !S_ISREG(st.st_mode) || st.st_size < kMinSize) return std::nullopt;
  auto line = util::read_file(entry_path(st));
  return line ? match(*line, st) : std::nullopt;
}

void ContentMemo::remember(const struct stat& st, const std::string& hex) const {
  if (dir_.empty() || !S_ISREG(st.st_mode) || st.st_size < kMinSize || !settled(st, ::time(nullptr))) return;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  (void)util::write_file_atomic(entry_path(st), format(st, hex), util::Durability::process_crash);
}

std::optional<std::string> ContentMemo::sha256(const std::string& path, const struct stat& st) const {
  const bool memo = !dir_.empty() && S_ISREG(st.st_mode) && st.st_size >= kMinSize;
  if (auto hex = remembered(st)) return hex;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  auto hex = hash_fd(fd);
  struct stat after {};
  const bool same = ::fstat(fd, &after) == 0 && unchanged(st, after);
  ::close(fd);
  // Remembered only when the file did not change while it was read and has settled (above); a
  // memo that cannot be written costs a read next time, nothing else.
  if (hex && memo && same) remember(st, *hex);
  return hex;
}

}  // namespace stack::build
