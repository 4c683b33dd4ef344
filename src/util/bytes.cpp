#include "util/bytes.hpp"

#include <cstdio>

#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>
#include <limits>

namespace stack::util {

namespace {

constexpr std::array<std::pair<char, int64_t>, 5> kMultiples{{
    {'k', int64_t{1} << 10},
    {'m', int64_t{1} << 20},
    {'g', int64_t{1} << 30},
    {'t', int64_t{1} << 40},
    {'p', int64_t{1} << 50},
}};

Error invalid(std::string_view text, std::string_view why) {
  return fail(Errc::invalid_argument,
              "\"" + std::string(text) + "\" is not a valid size: " + std::string(why));
}

// The multiplier for a lower-cased suffix ("", "b", "k", "kb", "kib"), or 0 when invalid.
int64_t suffix_multiplier(std::string_view sfx) {
  if (sfx.empty() || sfx == "b") return 1;
  if (sfx.size() > 3) return 0;
  int64_t mul = 0;
  for (const auto& [c, m] : kMultiples)
    if (c == sfx[0]) mul = m;
  if (mul == 0) return 0;
  if (sfx.size() == 2 && sfx[1] != 'b') return 0;
  if (sfx.size() == 3 && sfx.substr(1) != "ib") return 0;
  return mul;
}

// Parses "123" or "1.5" (digits with at most one point) as a double; false when malformed.
bool parse_number(std::string_view num, double& out, bool& integral, uint64_t& whole) {
  if (num.empty()) return false;
  bool seen_dot = false, seen_digit = false;
  whole = 0;
  for (char c : num) {
    if (c == '.') {
      if (seen_dot) return false;
      seen_dot = true;
    } else if (c >= '0' && c <= '9') {
      seen_digit = true;
      if (!seen_dot) whole = whole > (uint64_t{1} << 62) ? whole : whole * 10 + uint64_t(c - '0');
    } else {
      return false;
    }
  }
  if (!seen_digit) return false;
  integral = !seen_dot;
  out = std::strtod(std::string(num).c_str(), nullptr);
  return true;
}

}  // namespace

Result<int64_t> parse_bytes(std::string_view text) {
  std::string_view s = text;
  if (s.empty()) return invalid(text, "empty");
  if (s[0] == '-') return invalid(text, "negative");
  // The number ends at the last digit or point; one optional space may separate the suffix.
  size_t end = 0;
  while (end < s.size() && ((s[end] >= '0' && s[end] <= '9') || s[end] == '.')) ++end;
  std::string_view num = s.substr(0, end);
  std::string_view rest = s.substr(end);
  if (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
  double value = 0;
  bool integral = false;
  uint64_t whole = 0;
  if (!parse_number(num, value, integral, whole)) return invalid(text, "expected a number");
  std::string sfx;
  for (char c : rest) sfx += char(std::tolower(static_cast<unsigned char>(c)));
  int64_t mul = suffix_multiplier(sfx);
  if (mul == 0) return invalid(text, "unknown unit '" + std::string(rest) + "'");
  constexpr auto kMax = std::numeric_limits<int64_t>::max();
  if (integral) {
    // Exact integer arithmetic where possible: doubles lose precision above 2^53.
    if (whole > uint64_t(kMax) / uint64_t(mul)) return invalid(text, "out of range");
    return int64_t(whole) * mul;
  }
  long double bytes = static_cast<long double>(value) * static_cast<long double>(mul);
  if (bytes >= static_cast<long double>(kMax)) return invalid(text, "out of range");
  return static_cast<int64_t>(bytes);  // truncated, as go-units does
}

std::string format_bytes(int64_t bytes) {
  for (auto it = kMultiples.rbegin(); it != kMultiples.rend(); ++it) {
    if (bytes != 0 && bytes % it->second == 0)
      return std::to_string(bytes / it->second) + it->first;
  }
  return std::to_string(bytes);
}

std::string human_bytes(uint64_t bytes, bool binary) {
  static const char* decimal[] = {"B", "kB", "MB", "GB", "TB"};
  static const char* binary_units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  const double step = binary ? 1024 : 1000;
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= step && u < 4) {
    v /= step;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*g%s", v < 10 && u > 0 ? 2 : 3, v, binary ? binary_units[u] : decimal[u]);
  return buf;
}

}  // namespace stack::util
