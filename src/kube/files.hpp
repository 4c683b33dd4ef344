// The project files that the export reads (bind-mount sources that become ConfigMaps, secret and
// config files that become Secrets and ConfigMaps). Reading is all the export does with the host,
// and it goes through this seam so that tests need no files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace stack::kube {

struct FileInfo {
  enum class Kind { file, directory, other };
  Kind kind = Kind::other;
  uint64_t size = 0;  // regular files
};

class FileSource {
 public:
  virtual ~FileSource() = default;
  // nullopt when nothing is there (symlinks are followed).
  virtual std::optional<FileInfo> stat(const std::string& path) const = 0;
  virtual util::Result<std::string> read(const std::string& path) const = 0;
  // Entry names of a directory (not "." or ".."), sorted.
  virtual util::Result<std::vector<std::string>> list(const std::string& path) const = 0;
};

// The real file system, read only.
class HostFiles final : public FileSource {
 public:
  std::optional<FileInfo> stat(const std::string& path) const override;
  util::Result<std::string> read(const std::string& path) const override;
  util::Result<std::vector<std::string>> list(const std::string& path) const override;
};

}  // namespace stack::kube
