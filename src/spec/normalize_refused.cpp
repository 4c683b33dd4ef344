// The Compose service keys that stack refuses, each with its reason: "not supported" for what one
// Linux host without swarm, Windows or plugins can never honour, "not supported yet" for what the
// runtime does not do yet. A refused key is an error rather than silently dropped: each changes
// what runs. docs/stack-file.md lists the same reasons.
#include <algorithm>
#include <array>

#include "spec/normalize_internal.hpp"

namespace stack::spec {

namespace {

struct Refusal {
  std::string_view key;
  bool ever;  // false: never on this host; true: not yet
  std::string_view reason;
};

constexpr std::array kRefusals{
    Refusal{"cgroup_parent", true, "containers live under the project's cgroup (stack/<project>)"},
    Refusal{"cpu_count", false, "a Windows setting"},
    Refusal{"cpu_percent", false, "a Windows setting"},
    Refusal{"credential_spec", false, "a Windows (gMSA) setting"},
    Refusal{"gpus", false, "GPUs need a vendor container toolkit, which stack does not use"},
    Refusal{"models", false, "Docker Model Runner is not part of stack"},
    Refusal{"provider", false, "provider services are docker compose plugins"},
    Refusal{"runtime", false, "stack is the container runtime: no other OCI runtime is used"},
    Refusal{"storage_opt", false, "the overlay file system of stack has no per-container size "
                                  "option"},
    Refusal{"use_api_socket", false, "there is no docker API socket to share"},
};

}  // namespace

std::vector<std::string_view> refused_service_keys() {
  std::vector<std::string_view> out;
  for (const Refusal& r : kRefusals) out.push_back(r.key);
  return out;
}

std::optional<std::string> refusal(std::string_view key) {
  auto it = std::find_if(kRefusals.begin(), kRefusals.end(),
                         [&](const Refusal& r) { return r.key == key; });
  if (it == kRefusals.end()) return std::nullopt;
  return std::string(it->ever ? "not supported yet: " : "not supported: ") + std::string(it->reason);
}

}  // namespace stack::spec
