// RUN --mount: the BuildKit mount options that stack does, as values.
//
//   RUN --mount=type=cache,target=/root/.cache/go-build go build ./...
//   RUN --mount=type=tmpfs,target=/scratch,size=64m make test
//
// A cache mount is a host directory under <root>/build-cache/mounts/, one per `id` (default: the
// target), kept between builds and never part of a layer; `sharing=locked` (and `private`, which
// stack serialises the same way) holds an exclusive lock on it while the step runs. A tmpfs mount
// is empty at every run. Mount points the step's image did not have are removed from its layer.
// `type=bind`, `secret` and `ssh` are refused before the build starts (not yet).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "util/fd.hpp"
#include "util/result.hpp"

namespace stack::build {

using util::Result;

struct RunMount {
  enum class Type { cache, tmpfs };
  Type type = Type::cache;
  std::string target;    // as written: absolute, or relative to the WORKDIR
  std::string id;        // cache: default the target
  enum class Sharing { shared, locked };
  Sharing sharing = Sharing::shared;  // private is locked
  bool read_only = false;
  uint32_t mode = 0755;  // cache: of the directory when it is made
  uid_t uid = 0;
  gid_t gid = 0;
  uint64_t size = 0;     // tmpfs: bytes, 0 = the kernel's default
};

// One --mount value ("type=cache,target=/x,sharing=locked"). Errors name the option:
// "--mount: unknown option 'foo'", "--mount: type=bind is not supported yet".
Result<RunMount> parse_run_mount(std::string_view value);

// The cache mount's directory, made on first use with the mount's mode and owner; with
// lock set, also an fd that holds an exclusive flock on it until closed.
struct CacheDir {
  std::string path;
  util::UniqueFd lock;
};
Result<CacheDir> open_cache_dir(const std::string& root, const RunMount& mount);

}  // namespace stack::build
