#include "runtime/container/sysctl.hpp"

#include <algorithm>
#include <cstring>

#include "runtime/sys/file.hpp"
#include "util/namespaced_sysctl.hpp"

namespace stack::runtime {

using util::Errc;
using util::Error;

std::string sysctl_refusal(const std::string& name, NetworkMode network, bool host_ipc) {
  return std::string(util::sysctl_refusal(name, network == NetworkMode::host, host_ipc));
}

Result<void> check_sysctls(const std::map<std::string, std::string>& sysctls, NetworkMode network, bool host_ipc) {
  std::string msg;
  for (const auto& [name, value] : sysctls) {
    std::string why = sysctl_refusal(name, network, host_ipc);
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
