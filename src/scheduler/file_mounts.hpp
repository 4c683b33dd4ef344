// Secrets and configs as host files: each one a service mounts is written (from its source file,
// its variable or its text) into the container's own directory, which only root can enter, owned
// and moded as the service asks; the container sees it read-only at its target. The content never
// reaches a log or an error message.
#pragma once

#include <map>
#include <string>

#include "spec/model.hpp"
#include "util/result.hpp"

namespace stack::scheduler {

// Writes the files into `dir` (made 0700) and returns container target -> host file.
util::Result<std::map<std::string, std::string>> write_file_mounts(const spec::Stack& stack,
                                                                   const spec::Service& service,
                                                                   const std::string& dir);

}  // namespace stack::scheduler
