// One RUN: a container of stack's own runtime (runtime::Container, in this process, no shim) on an
// overlay of the stage's layers with a fresh upper directory, in its own cgroup
// (stack/_build/<id>: "_build" is no valid project name, so it never meets a project's), with
// the image's env, user and working directory. Its output is handed to a callback as it comes.
// Everything it makes lives under scratch_dir (upper, work, merged, etc files) except the cgroup
// and, on the build network, the veth, which are removed before returning, whatever happened.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/network.hpp"
#include "util/result.hpp"

namespace stack::build {

using util::Result;

// none: an own netns with lo only; host: the host's; bridge: an own netns with eth0 on the
// build network (build_network.hpp), described by RunSpec::attachment.
enum class RunNetwork { none, host, bridge };

// A RUN --mount, resolved: a host directory bind-mounted, or a tmpfs.
struct StepMount {
  std::string source;  // host directory; "" = a tmpfs
  std::string target;  // absolute in the container
  bool read_only = false;
  uint64_t tmpfs_size = 0;  // bytes; 0 = the kernel's default
};

struct RunSpec {
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd = "/";
  std::string user;
  RunNetwork network = RunNetwork::none;
  net::Attachment attachment;             // bridge: the step's eth0
  std::vector<std::string> lower_layers;  // top first; at least one
  std::string scratch_dir;                // exists, empty; the caller removes it
  std::string container_id;               // also names the cgroup: stack/_build/<id>
  std::vector<std::pair<std::string, std::string>> extra_hosts;  // (name, address) in /etc/hosts
  int64_t shm_size = 0;                   // bytes; 0 = the runtime's default
  std::vector<StepMount> mounts;
  std::function<void(std::string_view)> output;
};

// The exit code of the command (128 + signal when killed); an error when it could not start.
Result<int> run_in_container(const RunSpec& spec);

}  // namespace stack::build
