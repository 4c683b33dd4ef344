// What a COPY or ADD takes: its sources resolved against a tree (the build context with its
// .dockerignore rules, or a stage's or image's file system), expanded to every file and directory
// copied, each with the path it gets in the layer, and a digest of all of it (names, modes, sizes,
// link targets and contents, not times) for the step's cache key.
#pragma once

#include <sys/stat.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "build/dockerignore.hpp"
#include "build/rootfs_view.hpp"

namespace stack::build {

class SourceTree {
 public:
  virtual ~SourceTree() = default;
  // lstat of a cleaned relative path; nullopt when absent or excluded.
  virtual std::optional<ViewEntry> stat(const std::string& path) const = 0;
  virtual std::vector<std::string> list(const std::string& dir) const = 0;
  // Context trees: the ignore rules say no, but a re-included entry below may exist.
  virtual bool excluded(const std::string&) const { return false; }
  virtual bool has_exceptions() const { return false; }
  virtual std::string describe() const = 0;  // "build context", "stage 'builder'"
};

// label names it in errors: "build context", or a named context's "build context 'extra'".
std::unique_ptr<SourceTree> context_tree(std::string dir, IgnoreRules rules, std::string label = "build context");
std::unique_ptr<SourceTree> view_tree(RootfsView view, std::string label);

struct CopyItem {
  std::string dest;  // relative path in the layer
  ViewEntry source;
  bool extract = false;  // ADD: a tar archive unpacked into dest
};

struct CopySelection {
  std::vector<CopyItem> items;  // sorted by dest, directories before their contents
  std::string digest;           // hex sha256 over the items; empty unless CopyRequest::digest
};

// A source that is not in the tree: an ADD's download or a COPY/ADD heredoc, already written to a
// file of the step's scratch directory. `source` is the word it stands for in CopyRequest::sources.
struct PreparedSource {
  std::string source;  // the URL, or "<<EOF" as written
  std::string name;    // its name in a directory destination: the URL's file name, the heredoc's marker
  ViewEntry file;
};

struct CopyRequest {
  std::vector<std::string> sources;  // as expanded from the instruction
  std::string dest;                  // absolute (WORKDIR applied), may end in "/"
  bool add = false;                  // ADD: local tar archives are extracted
  // --exclude patterns (.dockerignore's syntax), matched against each path relative to the source
  // it comes from: the directory's own paths below it, a file's name.
  IgnoreRules exclude;
  // COPY --parents: each source keeps its path (from the context's root, or from a "/./" in the
  // source: "src/./app/x" is "app/x") under dest, which is a directory.
  bool parents = false;
  std::vector<PreparedSource> prepared;  // looked up before the tree; never extracted
  // Where the digests of large files are remembered between builds (content_memo.hpp); empty:
  // every file is read.
  std::string memo_dir;
  // false: no digest is made (nothing is read). COPY and ADD key their steps by the digest of the
  // layer they make (layer_memo.hpp), which the layer's writer computes in its one read.
  bool digest = true;
};

// dest_view resolves the destination through the stage's own symlinks.
Result<CopySelection> select_sources(const SourceTree& tree, const CopyRequest& request, const RootfsView& dest_view);

// True for a file libarchive reads as a tar archive (plain or compressed).
bool is_tar_archive(const std::string& host_path);

}  // namespace stack::build
