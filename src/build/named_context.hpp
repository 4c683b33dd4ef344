// Named build contexts (BuildKit's `--build-context NAME=VALUE`, compose's
// `build.additional_contexts`): more file trees than the main context, by name. The Dockerfile
// uses a name where it names a stage or an image: `COPY --from=NAME`, `RUN --mount=from=NAME`,
// `FROM NAME`; a named context overrides a stage or an image of that name.
//
//   ./dir, /abs/dir          a local directory, with its own .dockerignore
//   docker-image://REF       an image of the local store (pulled with --pull, as FROM's)
//   a git repository         URL[#REF[:SUBDIR]] as ADD and a build's context take it: checked out
//                            when the build starts and then read as a local directory
//   http(s)://…              a tarball, downloaded and unpacked when the build starts, likewise
//   oci-layout://PATH[:TAG][@sha256:HEX]
//                            an image of an OCI image layout directory (TAG default "latest"),
//                            added to the store untagged when the build starts
//
// Other schemes are refused with their reason. Compose's `service:NAME`
// is resolved above this module (cli/service_builds.cpp) into docker-image://.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::build {

using util::Result;

struct NamedContext {
  enum class Type { directory, image, git, url, oci_layout };
  Type type = Type::directory;
  // The directory (absolute or relative to the current directory), the reference, the URL, or the
  // layout's directory (absolute).
  std::string value;
  std::string layout_tag;     // oci_layout: the tag, when no digest is given
  std::string layout_digest;  // oci_layout: "sha256:<hex>", or empty
  bool operator==(const NamedContext&) const = default;
};

using NamedContexts = std::map<std::string, NamedContext>;

// The value alone; a relative directory is taken against base_dir. A directory is not
// checked here (the builder checks it).
Result<NamedContext> parse_named_context(std::string_view value, const std::string& base_dir);

// `NAME=VALUE`, as --build-context takes it: one-line errors that quote the argument.
Result<std::pair<std::string, NamedContext>> parse_build_context_flag(std::string_view arg, const std::string& base_dir);

}  // namespace stack::build
