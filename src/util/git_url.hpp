// Git repository URLs as BuildKit reads them (ADD's sources, a build's context): `git://…`,
// `ssh://…`, `user@host:path`, an http(s) URL whose path ends in ".git", each with an optional
// fragment `#REF:SUBDIR` or the CSV form `##ref=R,commit=C,subdir=D`. Pure: the spec checks a
// compose build context with it, the builder (build/git_source.hpp) fetches what it names.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::util {

struct GitSource {
  std::string remote;  // what git is given: the URL without its fragment
  std::string ref;     // a branch, a tag or a full commit id; empty: the remote's HEAD
  std::string commit;  // `##commit=` or ADD --checksum: the commit id (or a prefix of it, lower
                       // case) that ref must resolve to, as BuildKit's checksum; empty: not checked
  std::string subdir;  // the directory of the repository copied; empty: its root
};

// What a ref names in `git ls-remote` output: the commit, and for an annotated tag the tag
// object's id too (BuildKit takes either as the expected commit).
struct RefMatch {
  std::string commit;
  std::string tag;  // the annotated tag object the commit was peeled from; empty: none
};

// nullopt for a word that is no git source (a path, a plain http(s) URL); an error for a git source
// whose fragment cannot be read ("unexpected key 'x' in the fragment of '…'").
Result<std::optional<GitSource>> parse_git_source(std::string_view word);
bool is_git_source(std::string_view word);

// The commit that `ref` names in `git ls-remote` output ("<sha>\t<name>" lines), git's order for a
// short name: exact, refs/NAME, refs/tags/NAME (the peeled commit of an annotated tag),
// refs/heads/NAME. A full commit id is itself; empty ref is HEAD. nullopt: no such ref.
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
// A ref that looks like an abbreviated commit id (4 to 39 hex digits): no server resolves one.
bool is_short_commit_id(std::string_view ref);

// url with the user name and password of an http(s) URL masked ("https://xxxxx:xxxxx@host/r.git"),
// as BuildKit writes the origin of a kept .git; other URLs as they are.
std::string redact_git_url(std::string_view url);

}  // namespace stack::util
