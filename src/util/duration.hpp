// Durations as compose writes them: Go's time.ParseDuration syntax ("1m30s", "250ms", "1.5h").
// The model keeps nanoseconds; format_duration prints them back the way Go's Duration.String does,
// so that a value round-trips and diagnostics read like compose's.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::util {

// "1h2m3.5s", "-1.5h", "300ms", "10us", "10µs", "5ns", "0". A number without a unit is an error
// except "0", exactly as Go. Overflow of int64 nanoseconds is an error.
Result<std::chrono::nanoseconds> parse_duration(std::string_view text);

// Go style: "1h2m3.5s", "1m30s", "250ms", "1.5µs", "0s".
std::string format_duration(std::chrono::nanoseconds d);

}  // namespace stack::util
