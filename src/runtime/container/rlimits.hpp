// Resource limits by name ("nofile", "RLIMIT_NOFILE") and their application in the container.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "runtime/container/config.hpp"

namespace stack::runtime {

struct RlimitName {
  const char* name;  // lower case, without RLIMIT_
  int resource;
};

std::span<const RlimitName> rlimit_names();
// "nofile", "NOFILE" and "RLIMIT_NOFILE" -> RLIMIT_NOFILE.
std::optional<int> rlimit_from_name(std::string_view name);

Result<void> check_rlimits(const std::map<std::string, Rlimit>& rlimits);

// setrlimit for each; a raise of the hard limit that the kernel refuses is reported with the
// inherited hard limit, so that the user sees what the host allows.
Result<void> apply_rlimits(const std::map<std::string, Rlimit>& rlimits);

}  // namespace stack::runtime
