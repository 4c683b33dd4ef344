// `--ssh` of `stack image build`, as docker buildx writes it: the SSH agent that
// RUN --mount=type=ssh,id=ID shows.
//
//   --ssh default                 the agent of SSH_AUTH_SOCK
//   --ssh default=/run/agent.sock an agent's socket
//   --ssh gitlab=/run/other.sock  another id
//
// Key files (buildx's `--ssh default=~/.ssh/id_ed25519`) are refused: stack forwards an agent, it
// does not run one; `ssh-add` the key to an agent instead.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "build/secret_option.hpp"
#include "util/result.hpp"

namespace stack::build {

// id and the socket's absolute path; an error names the value and the cause.
util::Result<std::pair<std::string, std::string>> read_ssh_option(std::string_view value, const Getenv& getenv);

}  // namespace stack::build
