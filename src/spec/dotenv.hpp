// .env files as compose reads them: KEY=VALUE lines, comments, quotes, "export " prefix.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "spec/diagnostic.hpp"
#include "spec/load.hpp"

namespace stack::spec {

// Parses dotenv text; `lookup` resolves ${VAR} inside unquoted and double-quoted values.
// Errors are added to diags with the file's line and column.
Environment parse_dotenv(std::string_view text, const std::string& file, const Environment& lookup,
                         Diagnostics& diags);

// Reads and parses a file; a missing file is an error unless `required` is false.
std::optional<Environment> read_dotenv_file(const std::string& path, const Environment& lookup,
                                            bool required, Diagnostics& diags);

// The same for a file that the stack file names (env_file, include.env_file): a file that
// cannot be read is reported at the naming node `at` with its key path; errors inside the file
// keep their own file:line:col.
std::optional<Environment> read_named_dotenv_file(const std::string& path, const Environment& lookup,
                                                  bool required, const Node& at,
                                                  const std::string& key_path, Diagnostics& diags);

}  // namespace stack::spec
