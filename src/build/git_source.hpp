// ADD's git sources, as BuildKit reads them: `ADD https://host/repo.git#REF:SUBDIR DEST`,
// `git@host:repo.git`, `git://…`, `ssh://…`, and the CSV fragment `##ref=R,commit=C,subdir=D`.
// An http(s) URL is a git source only when its path ends in ".git" (else it is a download). The
// builder runs the `git` binary (as BuildKit does): `ls-remote` resolves the ref to a commit (the
// step's cache key, so an unchanged ref is a cache hit), then a shallow fetch of that ref into a
// scratch directory and a checkout; `.git` is removed unless `--keep-git-dir`.
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

using util::GitSource;
using util::is_git_source;
using util::parse_git_source;
using util::pick_commit;

// `git ls-remote`: the commit src's ref names now ("git ls-remote URL: fatal: …" on failure).
Result<std::string> resolve_git_commit(const GitSource& src);

// A shallow fetch of src at commit into dir (made), checked out; `.git` removed unless keep.
Result<void> checkout_git(const GitSource& src, const std::string& commit, const std::string& dir, bool keep_git_dir);

// src.subdir inside a checkout, a directory reached without a symbolic link (one could lead out of
// the checkout, onto the host); the checkout itself when there is none.
Result<std::string> git_subdir(const std::string& checkout, const GitSource& src, const std::string& commit);

}  // namespace stack::build
