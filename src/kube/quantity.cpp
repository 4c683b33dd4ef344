#include "kube/quantity.hpp"

#include <array>
#include <cmath>
#include <utility>

namespace stack::kube {

std::string memory_quantity(int64_t bytes) {
  static constexpr std::array<std::pair<const char*, int>, 6> kUnits = {
      {{"Ei", 60}, {"Pi", 50}, {"Ti", 40}, {"Gi", 30}, {"Mi", 20}, {"Ki", 10}}};
  if (bytes > 0) {
    for (const auto& [suffix, shift] : kUnits) {
      int64_t unit = int64_t{1} << shift;
      if (bytes % unit == 0) return std::to_string(bytes / unit) + suffix;
    }
  }
  return std::to_string(bytes);
}

std::string cpu_quantity(double cpus) {
  auto milli = static_cast<int64_t>(std::llround(cpus * 1000));
  if (milli < 1) milli = 1;
  if (milli % 1000 == 0) return std::to_string(milli / 1000);
  return std::to_string(milli) + "m";
}

Seconds whole_seconds(spec::Duration d, int64_t min) {
  constexpr int64_t kSecond = 1'000'000'000;
  int64_t ns = d.count();
  int64_t secs = ns / kSecond + (ns % kSecond != 0 ? 1 : 0);
  Seconds out{secs, ns % kSecond == 0};
  if (out.value < min) {
    out.value = min;
    out.exact = false;
  }
  return out;
}

}  // namespace stack::kube
