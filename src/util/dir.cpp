#include "util/dir.hpp"

#include <algorithm>
#include <filesystem>
#include <string_view>
#include <system_error>

namespace stack::util {

Result<DirStream> DirStream::open(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());  // O_CLOEXEC, as every descriptor of the project
  if (dir == nullptr) return Error::from_errno("opendir '" + path + "'");
  return DirStream(dir);
}

DirStream& DirStream::operator=(DirStream&& other) noexcept {
  if (this != &other) {
    if (dir_ != nullptr) ::closedir(dir_);
    dir_ = other.dir_;
    other.dir_ = nullptr;
  }
  return *this;
}

DirStream::~DirStream() {
  if (dir_ != nullptr) ::closedir(dir_);
}

const dirent* DirStream::next() {
  while (const dirent* e = ::readdir(dir_)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") return e;
  }
  return nullptr;
}

Result<std::vector<std::string>> list_dir(const std::string& path) {
  STACK_ASSIGN_OR_RETURN(DirStream dir, DirStream::open(path));
  std::vector<std::string> names;
  while (const dirent* e = dir.next()) names.emplace_back(e->d_name);
  std::sort(names.begin(), names.end());
  return names;
}

Result<void> remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);  // does not follow symlinks
  if (ec) return Error(Errc::io, "remove '" + path + "': " + ec.message(), ec.value());
  return ok();
}

}  // namespace stack::util
