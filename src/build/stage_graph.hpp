// Which stages a build needs and what each one stands on. FROM, COPY --from and RUN
// --mount=type=bind,from= name an earlier
// stage (by name or index), `scratch`, a named context (named_context.hpp; it wins over a stage
// or an image of its name, as in BuildKit), or an image; only the stages the target reaches are built,
// in file order. The ARGs before the first FROM (with the built-in platform ARGs) are resolved
// here, as FROM and --from may use them.
#pragma once

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "build/dockerfile.hpp"
#include "build/named_context.hpp"
#include "build/shell_lex.hpp"

namespace stack::build {

struct Source {
  enum class Type { scratch, stage, image, context };
  Type type = Type::scratch;
  int stage = -1;     // Type::stage
  std::string image;  // Type::image: the reference (a docker-image:// context's); Type::context: its name
};

struct StagePlan {
  std::vector<int> order;  // the needed stages, in build order; the last one is the target
  std::map<int, Source> base;
  std::map<std::pair<int, size_t>, Source> copy_from;  // (stage, body index) of a COPY --from
  std::map<std::tuple<int, size_t, size_t>, Source> mount_from;  // (stage, body index, mount index) of a RUN --mount from=
  Vars meta_args;                                        // the global ARG values, built-ins included
  std::set<std::string> consumed_args;                   // build args some needed ARG declared
};

// ARGs every build defines without a declaration (docker's automatic platform ARGs).
Vars platform_args();

// target "" is the last stage. Errors name the Dockerfile position: "Dockerfile:9:1: COPY --from=
// 'later' refers to a stage defined after it".
Result<StagePlan> plan_stages(const Dockerfile& df, const std::string& target, const Vars& build_args,
                              const NamedContexts& contexts = {});

}  // namespace stack::build
