#include "runtime/container/device_access.hpp"

namespace stack::runtime {

using util::Errc;
using util::Error;

namespace {

Result<cgroup::DeviceRule> node_rule(const DeviceNode& d) {
  if (d.path.rfind("/dev/", 0) != 0 || d.path.size() <= 5 || d.path.find("/../") != std::string::npos ||
      d.path.ends_with("/..")) {
    return Error(Errc::invalid_argument, "device '" + d.path + "': the container path must be below /dev");
  }
  if (d.type != "c" && d.type != "b") {
    return Error(Errc::invalid_argument, "device '" + d.path + "': type '" + d.type + "' is not c or b");
  }
  auto access = util::parse_device_access(d.access);
  if (!access) return std::move(access).error().context("device '" + d.path + "'");
  return cgroup::DeviceRule{d.type == "b" ? cgroup::DeviceType::block : cgroup::DeviceType::character, d.major,
                            d.minor, *access};
}

}  // namespace

Result<std::vector<cgroup::DeviceRule>> allowed_devices(const ContainerConfig& config) {
  std::vector<cgroup::DeviceRule> rules = cgroup::default_device_rules();
  for (const DeviceNode& d : config.devices) {
    STACK_ASSIGN_OR_RETURN(cgroup::DeviceRule rule, node_rule(d));
    rules.push_back(rule);
  }
  for (const std::string& text : config.device_cgroup_rules) {
    STACK_ASSIGN_OR_RETURN(cgroup::DeviceRule rule, util::parse_device_rule(text));
    rules.push_back(rule);
  }
  if (config.security.capabilities.privileged) return std::vector<cgroup::DeviceRule>{cgroup::DeviceRule{}};
  return rules;
}

}  // namespace stack::runtime
