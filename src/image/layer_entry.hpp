// Writes tar entries of one layer under a root directory fd, keeping ownership, modes (setuid and
// sticky bits too), xattrs, times, hard links, symlinks and device nodes, and turning OCI whiteouts into
// their overlayfs form. Every path goes through path_safety: nothing is written outside the root.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "image/fs.hpp"

struct archive;
struct archive_entry;

namespace stack::image {

class EntryWriter {
 public:
  explicit EntryWriter(int root_fd) : root_fd_(root_fd) {}

  // Applies one entry; its data is read from ar. Errors name the entry.
  Result<void> write(archive* ar, archive_entry* entry);
  // Sets directory times last: writing children would change them again.
  Result<void> finish();

  struct Meta;  // owner, mode, times and xattrs of one entry

 private:
  Result<void> write_entry(archive* ar, archive_entry* entry, const std::string& path);
  Result<void> write_whiteout(const std::string& path, bool opaque);
  Result<void> write_dir(int dir, const std::string& base, const std::string& path, const Meta& m);
  Result<void> write_file(archive* ar, archive_entry* e, int dir, const std::string& base,
                          const Meta& m);
  Result<void> write_hardlink(int dir, const std::string& base, const std::string& target);
  Result<void> write_symlink(int dir, const std::string& base, const char* target, const Meta& m);
  Result<void> write_special(int dir, const std::string& base, archive_entry* e, const Meta& m);

  struct DirTimes {
    std::string path;
    timespec times[2];
  };
  int root_fd_;
  std::vector<DirTimes> dir_times_;
};

}  // namespace stack::image
