// Kubernetes quantities and whole seconds from the model's bytes, CPUs and durations.
#pragma once

#include <cstdint>
#include <string>

#include "spec/model.hpp"

namespace stack::kube {

// 67108864 -> "64Mi", 1536 -> "1536" would not do: the largest binary suffix that divides exactly
// ("1536" -> "1536" only when no suffix divides), so the quantity is the same number of bytes.
std::string memory_quantity(int64_t bytes);

// 0.25 -> "250m", 2 -> "2"; millicores, rounded to the nearest (at least 1m).
std::string cpu_quantity(double cpus);

// Whole seconds for fields that take them: rounded up, at least `min`. `exact` says whether the
// duration was already a whole number of seconds at or above `min`.
struct Seconds {
  int64_t value = 0;
  bool exact = true;
};
Seconds whole_seconds(spec::Duration d, int64_t min = 1);

}  // namespace stack::kube
