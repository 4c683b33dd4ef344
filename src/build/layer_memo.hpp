// The digest of the layer a COPY or ADD made, remembered between builds, so that the step's cache
// key, which covers that digest (Builder::copy_step), is found again without reading a file. An
// entry belongs to one step (its parent's key, its instruction, the paths it writes) and is used
// only while every source still has the identity and times it had (device, inode, size, mtime,
// ctime in nanoseconds, mode, owner): any write to a file moves its ctime, and nothing can set it
// back. As for ContentMemo, sources are remembered only once settled (ctime older than the clock's
// coarseness) and unchanged while the layer was written. A new layer of the same step replaces the
// entry, so there is one per step.
//
//   LayerMemo memo(root + "/build-cache/layers");
//   auto layer = memo.remembered(parent_key, step, sel.items);  // nullopt: make the layer
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "build/copy_sources.hpp"

namespace stack::build {

class LayerMemo {
 public:
  // dir empty: nothing is remembered.
  explicit LayerMemo(std::string dir = {}) : dir_(std::move(dir)) {}

  // The layer digest ("sha256:<hex>") remembered for this step and these sources as they are now.
  std::optional<std::string> remembered(std::string_view parent_key, std::string_view step,
                                        const std::vector<CopyItem>& items) const;
  // Remembers layer for the step when every source has settled and is still as items describe it.
  void remember(std::string_view parent_key, std::string_view step, const std::vector<CopyItem>& items,
                const std::string& layer) const;

  // The entry's file of a step (by its paths), and the signature of its sources' identities and
  // times (pure; for tests).
  std::string entry_path(std::string_view parent_key, std::string_view step, const std::vector<CopyItem>& items) const;
  static std::string signature(const std::vector<CopyItem>& items);

 private:
  std::string dir_;
};

}  // namespace stack::build
