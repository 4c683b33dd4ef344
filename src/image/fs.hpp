// Small file helpers private to the image store: an owned fd, whole-file reads, atomic writes.
// (util/fd.hpp is the project-wide UniqueFd; this stays local so that image/ builds on its own.)
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "util/atomic_file.hpp"
#include "util/result.hpp"

namespace stack::image {

using util::Result;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  static Result<Fd> open(const std::string& path, int flags, unsigned mode = 0);
  static Result<Fd> open_at(int dir, const std::string& name, int flags, unsigned mode = 0);

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset();

 private:
  int fd_ = -1;
};

Result<void> write_all(int fd, const void* data, size_t size);
// Reads a whole file; files larger than max_size are an error (metadata files are small).
Result<std::string> read_file(const std::string& path, size_t max_size = 64u << 20);
using util::fsync_dir;
using util::write_file_atomic;
Result<void> make_dirs(const std::string& path, unsigned mode = 0755);
// Removes a tree without following symlinks; best effort (used on failure paths and by gc).
void remove_tree(const std::string& path);
// 16 hex characters from getrandom(), for temporary names.
std::string random_suffix();
bool path_exists(const std::string& path);

}  // namespace stack::image
