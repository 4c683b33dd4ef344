// A read-only view of a stage's file system as overlayfs would merge it, computed from the unpacked
// layer directories (top first) without mounting anything: whiteouts (char 0:0) hide lower
// entries, opaque directories (trusted.overlay.opaque=y) hide lower contents, a file hides a lower
// directory. COPY uses it to resolve its destination (symlinks followed inside the root, the
// metadata of existing parent directories), --chown names, and COPY --from a stage.
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace stack::build {

using util::Result;

struct ViewEntry {
  std::string host_path;  // the file in its layer directory
  struct stat st {};
};

class RootfsView {
 public:
  explicit RootfsView(std::vector<std::string> layers_top_first) : layers_(std::move(layers_top_first)) {}

  // The entry at a cleaned relative path ("" is the root), not following a final symlink.
  std::optional<ViewEntry> lookup(std::string_view path) const;
  // The path with every symlink followed (the last one too when follow_last), ".." clamped at the
  // root, as the kernel resolves inside a chroot. Missing components are kept as written.
  Result<std::string> resolve(std::string_view path, bool follow_last) const;
  // Names in a directory, merged, sorted.
  std::vector<std::string> list(std::string_view dir) const;
  // A small file's content (e.g. etc/passwd); nullopt when absent.
  std::optional<std::string> read_small_file(std::string_view path) const;

 private:
  std::vector<std::string> layers_;
};

// uid and gid for a COPY --chown value ("1000", "app", "app:staff", "1000:50") through the view's
// etc/passwd and etc/group, as docker resolves it.
Result<std::pair<uid_t, gid_t>> resolve_chown(const RootfsView& view, const std::string& spec);

}  // namespace stack::build
