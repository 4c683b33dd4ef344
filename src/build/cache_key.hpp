// Step cache keys: each step's key is the SHA-256 of its parent's key and a canonical description
// of the step as it runs (the expanded instruction, the values of the ARGs and flags it uses, the
// digest of the files it copies). A stage starts from its base: the image's manifest digest, a
// stage's final key, or "scratch", and the SOURCE_DATE_EPOCH that times are clamped to.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stack::build {

// Bumped whenever what a key covers changes, so that old cache entries are never reused.
inline constexpr std::string_view kCacheVersion = "stack-build-cache-v1";

std::string base_key(std::string_view base, int64_t epoch);
std::string step_key(std::string_view parent, std::string_view step);

}  // namespace stack::build
