// A device access rule in the shape of the v1 devices controller and docker's
// --device-cgroup-rule ("c 1:3 rwm"): the stack file checks them (spec) and the runtime applies
// them (runtime/cgroup/devices.hpp), so the type and its parser live here, below both.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::util {

enum class DeviceType : char { all = 'a', block = 'b', character = 'c' };

// Access bits, as the kernel's BPF_DEVCG_ACC_* values.
inline constexpr std::uint32_t kAccessMknod = 1;
inline constexpr std::uint32_t kAccessRead = 2;
inline constexpr std::uint32_t kAccessWrite = 4;
inline constexpr std::uint32_t kAccessAll = kAccessMknod | kAccessRead | kAccessWrite;

struct DeviceRule {
  DeviceType type = DeviceType::all;
  std::optional<std::uint32_t> major;  // nullopt: any ('*')
  std::optional<std::uint32_t> minor;
  std::uint32_t access = kAccessAll;
  bool operator==(const DeviceRule&) const = default;
};

// "c 1:3 rwm", "b 8:* r", "a *:* m", or "a" alone (every device, every access): the syntax of
// docker's --device-cgroup-rule and of the v1 devices.allow file. Errors say what is wrong.
Result<DeviceRule> parse_device_rule(std::string_view text);
// "rwm", "r", ...: a non-empty subset of r, w, m, each at most once.
Result<std::uint32_t> parse_device_access(std::string_view text);
// The devices.allow line of a rule ("c 1:3 rwm").
std::string to_string(const DeviceRule& rule);

}  // namespace stack::util
