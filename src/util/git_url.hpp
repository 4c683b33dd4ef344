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
  std::string commit;  // `##commit=`: what ref must resolve to; empty: not checked
  std::string subdir;  // the directory of the repository copied; empty: its root
};

// nullopt for a word that is no git source (a path, a plain http(s) URL); an error for a git source
// whose fragment cannot be read ("unexpected key 'x' in the fragment of '…'").
Result<std::optional<GitSource>> parse_git_source(std::string_view word);
bool is_git_source(std::string_view word);

// The commit that `ref` names in `git ls-remote` output ("<sha>\t<name>" lines), git's order for a
// short name: exact, refs/NAME, refs/tags/NAME (the peeled commit of an annotated tag),
// refs/heads/NAME. A full commit id is itself; empty ref is HEAD. nullopt: no such ref.
std::optional<std::string> pick_commit(std::string_view ls_remote, std::string_view ref);

}  // namespace stack::util
