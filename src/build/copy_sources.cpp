#include "build/copy_sources.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "build/content_memo.hpp"
#include "build/glob.hpp"
#include "image/digest.hpp"
#include "util/dir.hpp"

namespace stack::build {

using util::Errc;
using util::fail;

namespace {

std::string join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "/" + b;
}

std::string base_name(const std::string& p) { return p.substr(p.find_last_of('/') + 1); }

class ContextTree final : public SourceTree {
 public:
  ContextTree(std::string dir, IgnoreRules rules, std::string label)
      : dir_(std::move(dir)), rules_(std::move(rules)), label_(std::move(label)) {}
  std::optional<ViewEntry> stat(const std::string& path) const override {
    ViewEntry e{path.empty() ? dir_ : dir_ + "/" + path, {}};
    if (::lstat(e.host_path.c_str(), &e.st) != 0) return std::nullopt;
    return e;
  }
  std::vector<std::string> list(const std::string& dir) const override {
    // An unreadable directory lists as empty, as before (the stat of each entry reports the rest).
    return util::list_dir(dir.empty() ? dir_ : dir_ + "/" + dir).value_or(std::vector<std::string>{});
  }
  bool excluded(const std::string& path) const override { return !path.empty() && rules_.excluded(path); }
  bool has_exceptions() const override { return rules_.has_exceptions(); }
  std::string describe() const override { return label_; }

 private:
  std::string dir_;
  IgnoreRules rules_;
  std::string label_;
};

class ViewTree final : public SourceTree {
 public:
  ViewTree(RootfsView view, std::string label) : view_(std::move(view)), label_(std::move(label)) {}
  std::optional<ViewEntry> stat(const std::string& path) const override { return view_.lookup(path); }
  std::vector<std::string> list(const std::string& dir) const override { return view_.list(dir); }
  std::string describe() const override { return label_; }

 private:
  RootfsView view_;
  std::string label_;
};

// Every entry below dir (not dir itself), depth first, names sorted; entries excluded by the tree's
// ignore rules or by the instruction's --exclude (path relative to the source, `below`) left out.
void walk(const SourceTree& tree, const IgnoreRules& exclude, const std::string& dir, const std::string& below,
          const std::string& dest, std::vector<CopyItem>& out) {
  for (const std::string& name : tree.list(dir)) {
    std::string rel = join(dir, name);
    std::string rel_below = join(below, name);
    auto e = tree.stat(rel);
    if (!e) continue;
    const bool is_dir = S_ISDIR(e->st.st_mode);
    bool skip = tree.excluded(rel) || exclude.excluded(rel_below);
    bool exceptions = tree.has_exceptions() || exclude.has_exceptions();
    if (skip && !(is_dir && exceptions)) continue;
    if (!skip) out.push_back({join(dest, name), *e, false});
    if (is_dir) walk(tree, exclude, rel, rel_below, join(dest, name), out);
  }
}

// The paths a source pattern names: itself, or the matches of its wildcards, component by component.
std::vector<std::string> expand_pattern(const SourceTree& tree, const std::string& pattern) {
  std::vector<std::string> current{""};
  for (auto part : split_path(pattern)) {
    std::vector<std::string> next;
    bool wild = part.find_first_of("*?[\\") != std::string_view::npos;
    for (const std::string& base : current) {
      if (!wild) {
        next.push_back(join(base, std::string(part)));
        continue;
      }
      for (const std::string& name : tree.list(base)) {
        auto m = match_component(part, name);
        if (m && *m) next.push_back(join(base, name));
      }
    }
    current = std::move(next);
  }
  return current;
}

std::string digest_items(const std::vector<CopyItem>& items, const ContentMemo& memo) {
  image::Sha256 h;
  for (const CopyItem& it : items) {
    const struct stat& st = it.source.st;
    std::string head = it.dest + '\0' + std::to_string(st.st_mode) + '\0' + std::to_string(st.st_size) + '\0' +
                       (it.extract ? 'x' : '-');
    h.update(head);
    if (S_ISLNK(st.st_mode)) {
      std::vector<char> buf(4096);
      ssize_t n = ::readlink(it.source.host_path.c_str(), buf.data(), buf.size());
      if (n > 0) h.update(buf.data(), static_cast<size_t>(n));
    } else if (S_ISREG(st.st_mode)) {
      // The file's own digest stands for its contents (read now, or remembered from a build before).
      h.update(memo.sha256(it.source.host_path, st).value_or(""));
    }
    h.update("\n");
  }
  return h.finish().hex();
}

}  // namespace

std::unique_ptr<SourceTree> context_tree(std::string dir, IgnoreRules rules, std::string label) {
  return std::make_unique<ContextTree>(std::move(dir), std::move(rules), std::move(label));
}

std::unique_ptr<SourceTree> view_tree(RootfsView view, std::string label) {
  return std::make_unique<ViewTree>(std::move(view), std::move(label));
}

bool is_tar_archive(const std::string& host_path) {
  archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  bool ok = false;
  if (archive_read_open_filename(a, host_path.c_str(), 10240) == ARCHIVE_OK) {
    archive_entry* e = nullptr;
    ok = archive_read_next_header(a, &e) == ARCHIVE_OK;
  }
  archive_read_free(a);
  return ok;
}

Result<CopySelection> select_sources(const SourceTree& tree, const CopyRequest& req, const RootfsView& dest_view) {
  bool dir_dest = req.dest.ends_with("/") || req.dest.ends_with("/.") || req.dest == "." || req.sources.size() > 1;
  STACK_ASSIGN_OR_RETURN(std::string dest, dest_view.resolve(clean_path(req.dest), true));
  if (auto e = dest_view.lookup(dest); e && S_ISDIR(e->st.st_mode)) dir_dest = true;
  std::vector<CopyItem> items;
  if (req.parents) dir_dest = true;
  for (const std::string& raw : req.sources) {
    auto prepared = std::find_if(req.prepared.begin(), req.prepared.end(), [&](const PreparedSource& p) { return p.source == raw; });
    if (prepared != req.prepared.end()) {
      items.push_back({dir_dest || req.parents ? join(dest, prepared->name) : dest, prepared->file, false});
      continue;
    }
    std::string src = clean_path(raw);
    // --parents keeps the path after the pivot ("a/./b/c" keeps "b/c"), else all of it.
    std::string pivot;
    if (const size_t at = ("/" + raw).find("/./"); req.parents && at != std::string::npos && at > 0) {
      pivot = clean_path(raw.substr(0, at - 1));
      if (pivot == ".") pivot.clear();
    }
    auto kept_path = [&](const std::string& m) {
      return pivot.empty() || m.size() <= pivot.size() ? m : m.substr(pivot.size() + 1);
    };
    if (src == ".." || src.starts_with("../")) {
      return fail(Errc::invalid_argument, "source '" + raw + "' is outside the " + tree.describe());
    }
    bool wild = src.find_first_of("*?[") != std::string::npos;
    std::vector<std::string> matches = wild ? expand_pattern(tree, src) : std::vector<std::string>{src};
    // An excluded file is not there; an excluded directory may still hold re-included files.
    std::erase_if(matches, [&](const std::string& m) {
      auto e = tree.stat(m);
      return !e || (tree.excluded(m) && (!S_ISDIR(e->st.st_mode) || !tree.has_exceptions()));
    });
    if (matches.empty()) {
      return fail(Errc::not_found, "'" + raw + "' not found in the " + tree.describe() +
                                       (tree.describe().starts_with("build context") ? " (or excluded by .dockerignore)" : ""));
    }
    if (wild && matches.size() > 1) dir_dest = true;
    for (const std::string& m : matches) {
      auto e = tree.stat(m);
      if (!e) continue;
      if (S_ISDIR(e->st.st_mode)) {
        walk(tree, req.exclude, m, "", req.parents ? join(dest, kept_path(m)) : dest, items);
        continue;
      }
      if (req.exclude.excluded(base_name(m.empty() ? "." : m))) continue;
      bool extract = req.add && S_ISREG(e->st.st_mode) && is_tar_archive(e->host_path);
      std::string to = extract ? dest
                       : req.parents ? join(dest, kept_path(m))
                       : (dir_dest ? join(dest, base_name(m.empty() ? "." : m)) : dest);
      items.push_back({to, *e, extract});
    }
  }
  std::stable_sort(items.begin(), items.end(), [](const CopyItem& a, const CopyItem& b) { return a.dest < b.dest; });
  CopySelection sel;
  if (req.digest) sel.digest = digest_items(items, ContentMemo(req.memo_dir));
  sel.items = std::move(items);
  return sel;
}

}  // namespace stack::build
