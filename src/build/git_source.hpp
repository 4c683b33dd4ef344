// ADD's git sources, as BuildKit reads them: `ADD https://host/repo.git#REF:SUBDIR DEST`,
// `git@host:repo.git`, `git://…`, `ssh://…`, the CSV fragment `##ref=R,commit=C,subdir=D` and the
// query `?ref=R&subdir=D&checksum=C&keep-git-dir=true&submodules=false` (util/git_url.hpp). An
// http(s) URL is a git source only when its path ends in ".git" (else it is a download). The
// builder runs the `git` binary (as BuildKit does): `ls-remote` resolves the ref to a commit (the
// step's cache key, so an unchanged ref is a cache hit; it pins the submodules' commits too), then
// a shallow fetch of that commit into a scratch directory, a checkout and the submodules'
// (recursive, shallow); `.git` is removed unless `--keep-git-dir`.
//
//   STACK_ASSIGN_OR_RETURN(auto src, parse_git_source(word));        // nullopt: not git
//   STACK_ASSIGN_OR_RETURN(std::string commit, resolve_git_commit(*src));
//   STACK_TRY(checkout_git(*src, commit, dir + "/repo", keep_git_dir));
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/git_url.hpp"
#include "util/result.hpp"

namespace stack::build {

using util::Result;

using util::apply_git_checksum;
using util::commit_matches;
using util::GitSource;
using util::is_commit_id;
using util::is_git_source;
using util::is_short_commit_id;
using util::match_ref;
using util::parse_git_checksum;
using util::parse_git_source;
using util::pick_commit;
using util::redact_git_url;
using util::RefMatch;

// `git ls-remote`: the commit src's ref names now ("git ls-remote URL: fatal: …" on failure),
// checked against src.commit when it is given ("URL: ref 'main' is commit C, expected E"); with
// src.fetch_by_commit, src.commit itself (a full id), the remote not asked.
Result<std::string> resolve_git_commit(const GitSource& src);

// A shallow fetch of src at commit into dir (made; a SHA-256 repository for a 64-digit commit),
// checked out with its submodules (`git submodule update --init --recursive --depth=1`) unless
// src.submodules is false; `.git` (and the submodules' `.git` files) removed unless keep (or
// src.keep_git_dir); with src.mtime_commit every file's time set to the commit's.
Result<void> checkout_git(const GitSource& src, const std::string& commit, const std::string& dir, bool keep_git_dir);

// Every `.git` below checkout's top directory (the files that name a submodule's repository).
Result<void> remove_submodule_git_files(const std::string& checkout);

// `git submodule update`'s failure on one line: the submodule (its path inside checkout, and the
// URL a clone failed from) and git's first reason, "submodule 'lib' (git://h/lib.git): fatal: …".
std::string submodule_failure(std::string_view err, std::string_view checkout);

// src.subdir inside a checkout, a directory reached without a symbolic link (one could lead out of
// the checkout, onto the host); the checkout itself when there is none.
Result<std::string> git_subdir(const std::string& checkout, const GitSource& src, const std::string& commit);

}  // namespace stack::build
