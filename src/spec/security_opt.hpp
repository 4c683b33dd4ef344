// security_opt entries as docker reads them: "name=value", the older "name:value", or a bare name
// ("no-new-privileges"). The stack file admits only what the runtime honours (normalize_security.cpp);
// the scheduler maps what was admitted (scheduler/container_spec.cpp). Both split with this.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stack::spec {

struct SecurityOpt {
  std::string name;   // "seccomp"
  std::string value;  // "unconfined"; "" for a bare name
  bool has_value = false;
};

// Split at the first '=' when there is one, else at the first ':' ("label:type:x" is label, "type:x").
SecurityOpt split_security_opt(std::string_view text);

// Go's strconv.ParseBool, which docker applies to no-new-privileges' value and to boolean network
// driver_opts: 1 t T TRUE true True, 0 f F FALSE false False.
std::optional<bool> parse_go_bool(std::string_view text);

}  // namespace stack::spec
