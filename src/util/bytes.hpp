// Byte sizes as compose and docker read them (go-units RAMInBytes): "512m", "1g", "1.5GB", "100k",
// "2b", "64MiB", a plain number = bytes; case-insensitive; every multiple is binary (k = 1024).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::util {

// Negative sizes, unknown suffixes and values beyond int64 are errors.
Result<int64_t> parse_bytes(std::string_view text);

// For tables, as docker prints them: decimal units for sizes on disk ("1.05MB", `docker images`),
// binary ones for memory ("64MiB", `docker stats`); three significant digits.
std::string human_bytes(uint64_t bytes, bool binary);

// The largest unit that divides exactly, for messages: 1073741824 -> "1g", 3072 -> "3k", 100 -> "100".
std::string format_bytes(int64_t bytes);

}  // namespace stack::util
