// A runtime failure in the stack file's terms. The runtime names what failed in its own terms
// (util::Error::subject: the container setup step such as "user" or "rlimits", or "cgroup <file>");
// what only the host can judge (a user missing from the image, a cpuset the host lacks) then reads
// as the key that asked for it: "services.web.user: unable to find user 'ghost'".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "spec/model.hpp"
#include "util/result.hpp"

namespace stack::scheduler {

// The service key behind a runtime subject; nullopt for a subject no key asks for. The exec step's
// key is the entrypoint or command the service sets (nullopt for the image's own, or no service).
std::optional<std::string> service_key_of(std::string_view subject, const spec::Service* service);

// error with "services.<service>.<key>: " before its message when its subject names a key;
// unchanged otherwise.
util::Error in_service_terms(std::string_view service_name, util::Error error,
                             const spec::Service* service = nullptr);

}  // namespace stack::scheduler
