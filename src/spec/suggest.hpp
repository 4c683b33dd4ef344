// Did-you-mean for unknown keys and values: the closest candidate by edit distance, when it is
// close enough to be a likely typo ("imgae" -> "image") rather than a different word.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace stack::spec {

// Optimal string alignment distance: insertions, deletions, substitutions and adjacent
// transpositions each cost 1, so the common "imgae" typo is one edit away, not two.
size_t edit_distance(std::string_view a, std::string_view b);

// The nearest candidate within max(1, (len+1)/3) edits (ties: the first listed), or nullopt.
std::optional<std::string> suggest(std::string_view word, std::span<const std::string_view> candidates);

// " (did you mean 'image'?)" or "", ready to append to a message.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace stack::spec
