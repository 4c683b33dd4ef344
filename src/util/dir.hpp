// Directories: DirStream owns an open directory (opendir/closedir) as UniqueFd owns a descriptor;
// list_dir and remove_tree are the two whole-directory operations the project needs.
#pragma once

#include <dirent.h>

#include <string>
#include <vector>

#include "util/result.hpp"

namespace stack::util {

class DirStream {
 public:
  // Absence is Errc::not_found ("opendir '/x': No such file or directory").
  static Result<DirStream> open(const std::string& path);

  DirStream(DirStream&& other) noexcept : dir_(other.dir_) { other.dir_ = nullptr; }
  DirStream& operator=(DirStream&& other) noexcept;
  DirStream(const DirStream&) = delete;
  DirStream& operator=(const DirStream&) = delete;
  ~DirStream();

  // The next entry other than "." and ".."; nullptr at the end. Valid until the next call.
  const dirent* next();
  // The directory's descriptor, for *at(2) calls on an entry; owned by the stream.
  int fd() const { return ::dirfd(dir_); }

 private:
  explicit DirStream(DIR* dir) : dir_(dir) {}
  DIR* dir_ = nullptr;
};

// The names in path other than "." and "..", sorted. Absence is Errc::not_found.
Result<std::vector<std::string>> list_dir(const std::string& path);

// rm -rf: never follows a symlink inside the tree; absence is success.
Result<void> remove_tree(const std::string& path);

}  // namespace stack::util
