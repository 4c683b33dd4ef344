// Git repository URLs as BuildKit reads them (ADD's sources, a build's context): `git://…`,
// `ssh://…`, `user@host:path`, an http(s) URL whose path ends in ".git", each with an optional
// fragment `#REF:SUBDIR` or the CSV form `##ref=R,commit=C,subdir=D`, and BuildKit's query
// `?ref=R&tag=T&branch=B&subdir=D&checksum=C&keep-git-dir=true&submodules=false&mtime=commit&fetch-by-commit`
// (what both say must agree). Pure: the spec checks a compose build context with it, the builder
// (build/git_source.hpp) fetches what it names.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::util {

struct GitSource {
  std::string remote;  // what git is given: the URL without its query and fragment
  std::string ref;     // a branch, a tag (`?tag=T`: refs/tags/T) or a full commit id; empty: HEAD
  std::string commit;  // `##commit=`, `?checksum=` or ADD --checksum: the commit id (or a prefix of
                       // it, lower case) that ref must resolve to, as BuildKit's; empty: not checked
  std::string subdir;  // the directory of the repository copied; empty: its root
  std::optional<bool> keep_git_dir;  // `?keep-git-dir=`; nullopt: the URL does not say
  bool submodules = true;            // `?submodules=false`: the submodules are not checked out
  bool mtime_commit = false;         // `?mtime=commit`: every file's time is the commit's
  bool fetch_by_commit = false;      // `?fetch-by-commit`: commit (a full id) is fetched, no ls-remote
};

// What a ref names in `git ls-remote` output: the commit, and for an annotated tag the tag
// object's id too (BuildKit takes either as the expected commit).
struct RefMatch {
  std::string commit;
  std::string tag;   // the annotated tag object the commit was peeled from; empty: none
  std::string name;  // the ref it matched ("refs/heads/v1"); empty for a commit id
};

// nullopt for a word that is no git source (a path, a plain http(s) URL); an error for a git source
// whose fragment or query cannot be read ("unexpected key 'x' in the query of '…'"), or whose query
// and fragment disagree ("'ref=v2' conflicts with ref 'v1' in '…'").
Result<std::optional<GitSource>> parse_git_source(std::string_view word);
bool is_git_source(std::string_view word);

// The commit that `ref` names in `git ls-remote` output ("<sha>\t<name>" lines), BuildKit's order
// for a name: refs/NAME, refs/heads/NAME, refs/tags/NAME (an annotated tag peeled to its commit),
// so a branch wins over a tag of the same name (as `git checkout` prefers it). A full commit id
// (40 hex digits, or 64 in a SHA-256 repository) is itself; empty ref is HEAD. nullopt: no such ref.
std::optional<std::string> pick_commit(std::string_view ls_remote, std::string_view ref);
std::optional<RefMatch> match_ref(std::string_view ls_remote, std::string_view ref);

// ADD --checksum of a git source, as BuildKit reads it: a commit id or a prefix of one (hex digits,
// any case), made lower case. "--checksum='x': expected a commit id (hex digits) for a git repository".
Result<std::string> parse_git_checksum(std::string_view value);
// --checksum given to src: it becomes src.commit; a `##commit=` that says otherwise is an error.
Result<void> apply_git_checksum(GitSource& src, std::string_view value);
// Whether the resolved ref is the expected commit: expected is a prefix of the commit's id or of
// its annotated tag's.
bool commit_matches(const RefMatch& resolved, std::string_view expected);
// A full commit id: 40 hex digits (SHA-1) or 64 (a SHA-256 repository's).
bool is_commit_id(std::string_view ref);
// A ref that looks like an abbreviated commit id (4 to 63 hex digits, not 40): no server resolves one.
bool is_short_commit_id(std::string_view ref);

// url with the user name and password of an http(s) URL masked ("https://xxxxx:xxxxx@host/r.git"),
// as BuildKit writes the origin of a kept .git; other URLs as they are.
std::string redact_git_url(std::string_view url);

}  // namespace stack::util
