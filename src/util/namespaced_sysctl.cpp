#include "util/namespaced_sysctl.hpp"

#include <algorithm>
#include <cctype>

namespace stack::util {

namespace {

// IPC sysctls live in the IPC namespace, which every container has unless it shares the host's.
constexpr std::string_view kIpcExact[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
                                          "kernel.sem",    "kernel.shmall", "kernel.shmmax",
                                          "kernel.shmmni", "kernel.shm_rmid_forced"};

bool well_formed(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  if (name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace

std::string_view sysctl_refusal(std::string_view name, bool host_network, bool host_ipc) {
  if (!well_formed(name)) return "is not a sysctl name";
  if (std::find(std::begin(kIpcExact), std::end(kIpcExact), name) != std::end(kIpcExact) || name.starts_with("fs.mqueue.")) {
    return host_ipc ? "is not allowed with the host IPC namespace" : "";
  }
  if (name.starts_with("net.")) {
    if (host_network) return "is not allowed with the host network namespace";
    return "";
  }
  return "is not namespaced (it would change the host)";
}

}  // namespace stack::util
