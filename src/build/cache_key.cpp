#include "build/cache_key.hpp"

#include "image/digest.hpp"

namespace stack::build {

std::string base_key(std::string_view base, int64_t epoch) {
  std::string text = std::string(kCacheVersion) + '\0' + std::string(base) + '\0' + std::to_string(epoch);
  return image::Digest::of(text).hex();
}

std::string step_key(std::string_view parent, std::string_view step) {
  std::string text = std::string(parent) + '\0' + std::string(step);
  return image::Digest::of(text).hex();
}

}  // namespace stack::build
