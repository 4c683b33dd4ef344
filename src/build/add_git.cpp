// ADD of a git repository (git_source.hpp): the ref resolved with `git ls-remote` before the
// step's cache key is made (the key names the commit, so an unchanged ref is a cache hit and
// nothing is fetched), then on a miss a shallow fetch and checkout into a scratch directory whose
// files (of SUBDIR when the fragment names one) are copied into DEST as a directory is by ADD.
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "build/builder_impl.hpp"
#include "build/cache_key.hpp"
#include "build/git_source.hpp"
#include "build/glob.hpp"
#include "build/scratch_dir.hpp"
#include "build/shell_lex.hpp"

namespace stack::build {

using nlohmann::json;
using util::Errc;
using util::fail;

Result<void> Builder::add_git_step(const Instruction& ins, const GitSource& src, const CopyRequest& req,
                                   const CopyOptions& opts, const RootfsView& dest_view, StageState& state) {
  auto at = [&](util::Error e) { return std::move(e).context(where(df_, ins) + ": ADD"); };
  // --keep-git-dir and the URL's `?keep-git-dir=` must agree when both say (BuildKit's rule).
  std::optional<bool> flag;
  if (auto f = ins.flags.find("keep-git-dir"); f != ins.flags.end()) flag = f->second != "false";
  if (flag && src.keep_git_dir && *flag != *src.keep_git_dir) {
    return at(util::Error(Errc::invalid_argument, "--keep-git-dir=" + std::string(*flag ? "true" : "false") + " and the keep-git-dir=" +
                                                      (*src.keep_git_dir ? "true" : "false") + " of '" + src.remote + "' differ"));
  }
  const bool keep = flag.value_or(src.keep_git_dir.value_or(false));
  auto commit = resolve_git_commit(src);
  if (!commit) return at(std::move(commit).error());
  json owner = opts.chown ? json({opts.chown->first, opts.chown->second}) : json(nullptr);
  json mode = opts.chmod ? json(*opts.chmod) : json(nullptr);
  const std::string subdir = clean_path(src.subdir.empty() ? "." : src.subdir);  // "": the root
  // The commit pins the submodules' commits (its tree holds them): the key needs no more (BuildKit's).
  json desc = {"ADD", "git", src.remote, *commit, subdir, keep, req.dest, owner, mode};
  if (!src.submodules) desc.push_back("no-submodules");  // only when said, so that older keys hold
  if (src.mtime_commit) desc.push_back("mtime=commit");
  return cached_layer(ins, step_key(state.key, desc.dump()), state, [&]() -> Result<image::LayerInfo> {
    STACK_ASSIGN_OR_RETURN(ScratchDir scratch, ScratchDir::make(o_.root));
    const std::string checkout = scratch.path() + "/git";
    // With a SUBDIR only that directory is copied: no .git (nor a submodule's .git file) goes in.
    GitSource fetch = src;
    fetch.keep_git_dir.reset();  // decided above, with the flag
    if (auto done = checkout_git(fetch, *commit, checkout, keep && subdir.empty()); !done) return at(std::move(done).error());
    auto root = git_subdir(checkout, src, *commit);
    if (!root) return at(std::move(root).error());
    // The repository's files go into DEST as a directory's contents do.
    auto tree = context_tree(*root, IgnoreRules::parse("").value(), "git repository '" + src.remote + "'");
    CopyRequest copy{{"."}, req.dest.ends_with("/") ? req.dest : req.dest + "/", false};
    copy.digest = false;  // the key is the commit
    auto sel = select_sources(*tree, copy, dest_view);
    if (!sel) return at(std::move(sel).error());
    auto layer = write_copy_layer(ingest_->blobs(), *sel, dest_view, opts);
    if (!layer) return at(std::move(layer).error());
    return layer;
  });
}

}  // namespace stack::build
