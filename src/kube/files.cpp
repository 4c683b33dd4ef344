#include "kube/files.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace stack::kube {

namespace fs = std::filesystem;

std::optional<FileInfo> HostFiles::stat(const std::string& path) const {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return std::nullopt;
  FileInfo info;
  if (fs::is_regular_file(st)) {
    info.kind = FileInfo::Kind::file;
    info.size = fs::file_size(path, ec);
    if (ec) return std::nullopt;
  } else if (fs::is_directory(st)) {
    info.kind = FileInfo::Kind::directory;
  }
  return info;
}

util::Result<std::string> HostFiles::read(const std::string& path) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::Error::from_errno("reading '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return util::Error::from_errno("reading '" + path + "'");
  return text.str();
}

util::Result<std::vector<std::string>> HostFiles::list(const std::string& path) const {
  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string());
  if (ec) return util::fail(util::Errc::io, "listing '" + path + "': " + ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace stack::kube
