// RUN --mount: the BuildKit mount options that stack does, as values.
//
//   RUN --mount=type=cache,target=/root/.cache/go-build go build ./...
//   RUN --mount=type=tmpfs,target=/scratch,size=64m make test
//   RUN --mount=type=bind,source=go.mod,target=go.mod go mod download
//   RUN --mount=type=bind,from=builder,source=/out,target=/in cp /in/app /usr/bin/
//   RUN --mount=type=secret,id=token,env=TOKEN ./fetch
//
// A cache mount is a host directory under <root>/build-cache/mounts/, one per `id` (default: the
// target; with `from`, one per id and the files it starts from), kept between builds and never
// part of a layer; `sharing=locked` (and `private`, which
// stack serialises the same way) holds an exclusive lock on it while the step runs. A tmpfs mount
// is empty at every run. A bind mount shows a path of the build context (after .dockerignore) or
// of a stage or image (`from`), read-only unless `rw`, whose writes are thrown away; its content
// is part of the step's cache key. A secret mount shows a secret given to the build (`--secret`)
// as a file (default /run/secrets/<id>) or an environment variable (`env`), never stored in a
// layer or a cache key. Mount points the step's image did not have are removed from its layer.
// An ssh mount shows an SSH agent's socket given to the build (`--ssh default[=SOCKET]`), bound
// read-only at /run/buildkit/ssh_agent.N with SSH_AUTH_SOCK naming the first one.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "util/fd.hpp"
#include "util/result.hpp"

namespace stack::build {

using util::Result;

struct RunMount {
  enum class Type { cache, tmpfs, bind, secret, ssh };
  Type type = Type::cache;
  std::string target;    // as written: absolute, or relative to the WORKDIR; secret: may be ""
  std::string id;        // cache: default the target; secret: default the target's base name;
                         // ssh: the agent given as --ssh ID (default "default")
  std::string source;    // bind, cache: the path in the context or `from` ("" = its root)
  std::string from;      // bind: a stage (name or index) or an image; "" = the build context;
                         // cache: what the directory starts with when it is made; "" = empty
  std::string env;       // secret: the environment variable that gets it, instead of a file
  bool required = false; // secret, ssh: a missing one fails the build (otherwise it is skipped)
  enum class Sharing { shared, locked };
  Sharing sharing = Sharing::shared;  // private is locked
  bool read_only = false;  // bind: true unless `rw`
  uint32_t mode = 0755;  // cache: of the directory when it is made; secret: of the file (0400)
  uid_t uid = 0;
  gid_t gid = 0;
  uint64_t size = 0;     // tmpfs: bytes, 0 = the kernel's default
};

// One --mount value ("type=cache,target=/x,sharing=locked"). Errors name the option:
// "--mount: unknown option 'foo'", "--mount: type=ssh is not supported".
Result<RunMount> parse_run_mount(std::string_view value);

// The cache mount's directory, made on first use with the mount's mode and owner; with
// lock set, also an fd that holds an exclusive flock on it until closed.
struct CacheDir {
  std::string path;
  util::UniqueFd lock;
};
// A cache mount's `from`: its directory starts as a copy of that stage's (or image's, or named
// context's) `source` path. key names those files (their digest); fill writes them into a new
// directory of the path given.
struct CacheSeed {
  std::string key;
  std::function<Result<void>(const std::string& dir)> fill;
};
Result<CacheDir> open_cache_dir(const std::string& root, const RunMount& mount, const CacheSeed* seed = nullptr);

}  // namespace stack::build
