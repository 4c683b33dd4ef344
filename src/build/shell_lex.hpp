// The builder's shell-like word processing (not a shell: no globbing, no commands): $VAR, ${VAR}
// and the modifiers ${VAR:-word} ${VAR-word} ${VAR:+word} ${VAR+word} ${VAR:?msg} ${VAR?msg};
// single and double quotes; the escape character ('\' or '`', from `# escape=`).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace stack::build {

using util::Result;
using Vars = std::map<std::string, std::string>;

// Expands and removes quotes; splits on unquoted whitespace ("a 'b c'" -> {"a", "b c"}).
Result<std::vector<std::string>> expand_words(std::string_view text, const Vars& vars, char escape);
// The same without splitting: one word, inner whitespace kept.
Result<std::string> expand_word(std::string_view text, const Vars& vars, char escape);
// A heredoc's body as a shell reads an unquoted one: variables expanded, quotes kept as written,
// the escape character taken out only before '$', itself or a newline (COPY <<EOF writes this).
Result<std::string> expand_heredoc(std::string_view text, const Vars& vars, char escape);
// Splits on unquoted whitespace only: quotes, escapes and $ stay as written (KEY=VALUE lists).
std::vector<std::string> split_raw(std::string_view text, char escape);

}  // namespace stack::build
