#include "runtime/container/sysctl.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "runtime/sys/file.hpp"

namespace stack::runtime {

using util::Errc;
using util::Error;

namespace {

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// IPC sysctls live in the IPC namespace, which every container has.
constexpr std::string_view kIpcExact[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
                                          "kernel.sem",    "kernel.shmall", "kernel.shmmax",
                                          "kernel.shmmni", "kernel.shm_rmid_forced"};

bool well_formed(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  if (name.find("..") != std::string::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
           c == '/';
  });
}

}  // namespace

std::string sysctl_refusal(const std::string& name, NetworkMode network) {
  if (!well_formed(name) || name.find('/') != std::string::npos) return "is not a sysctl name";
  if (std::find(std::begin(kIpcExact), std::end(kIpcExact), name) != std::end(kIpcExact)) return "";
  if (starts_with(name, "fs.mqueue.")) return "";
  if (starts_with(name, "net.")) {
    if (network == NetworkMode::host) return "is not allowed with the host network namespace";
    return "";
  }
  return "is not namespaced (it would change the host)";
}

Result<void> check_sysctls(const std::map<std::string, std::string>& sysctls, NetworkMode network) {
  std::string msg;
  for (const auto& [name, value] : sysctls) {
    std::string why = sysctl_refusal(name, network);
    if (!why.empty()) msg += (msg.empty() ? "" : "; ") + ("sysctl '" + name + "' " + why);
  }
  if (msg.empty()) return util::ok();
  return Error(Errc::invalid_argument, msg);
}

std::string sysctl_path(const std::string& name) {
  std::string path = "/proc/sys/" + name;
  std::replace(path.begin() + 10, path.end(), '.', '/');
  return path;
}

Result<void> apply_sysctls(const std::map<std::string, std::string>& sysctls) {
  for (const auto& [name, value] : sysctls) {
    auto r = sys::write_file(sysctl_path(name), value);
    if (!r) {
      return Error(r.error().code(), "sysctl '" + name + "' = '" + value + "': " +
                                         std::strerror(r.error().sys_errno()),
                   r.error().sys_errno());
    }
  }
  return util::ok();
}

}  // namespace stack::runtime
