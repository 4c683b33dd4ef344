#include "runtime/cgroup/devices.hpp"

namespace stack::runtime::cgroup {

std::vector<DeviceRule> default_device_rules() {
  using T = DeviceType;
  auto node = [](T type, std::optional<std::uint32_t> major, std::optional<std::uint32_t> minor, std::uint32_t access) {
    return DeviceRule{type, major, minor, access};
  };
  return {
      node(T::character, std::nullopt, std::nullopt, kAccessMknod),
      node(T::block, std::nullopt, std::nullopt, kAccessMknod),
      node(T::character, 1, 3, kAccessAll),             // null
      node(T::character, 1, 5, kAccessAll),             // zero
      node(T::character, 1, 7, kAccessAll),             // full
      node(T::character, 1, 8, kAccessAll),             // random
      node(T::character, 1, 9, kAccessAll),             // urandom
      node(T::character, 5, 0, kAccessAll),             // tty
      node(T::character, 5, 1, kAccessAll),             // console
      node(T::character, 5, 2, kAccessAll),             // ptmx
      node(T::character, 136, std::nullopt, kAccessAll),  // the container's own ptys (devpts)
      node(T::character, 10, 200, kAccessAll),          // tun
  };
}

}  // namespace stack::runtime::cgroup
