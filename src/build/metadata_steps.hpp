// The instructions that only change the image config (CMD, ENTRYPOINT, ENV, ARG, LABEL, EXPOSE,
// VOLUME, USER, WORKDIR, SHELL, STOPSIGNAL, HEALTHCHECK, ONBUILD, MAINTAINER): applied to the
// stage's state with ARG and ENV expanded. Each returns the canonical text of what it did, which
// goes into the step's cache key and the image's history.
#pragma once

#include <set>
#include <string>

#include "build/dockerfile.hpp"
#include "build/stage_state.hpp"

namespace stack::build {

struct ArgScope {
  const Vars& build_args;           // --build-arg
  const Vars& meta_args;            // the ARGs before the first FROM, resolved
  std::set<std::string>& consumed;  // build args some ARG declared
};

// Errors carry the instruction's position.
Result<std::string> apply_metadata(const Dockerfile& df, const Instruction& ins, StageState& state, ArgScope args);

// CMD/ENTRYPOINT/RUN: the exec form as written, or SHELL + the command.
std::vector<std::string> command_argv(const Instruction& ins, const StageState& state);

}  // namespace stack::build
