#include "util/duration.hpp"

#include <array>
#include <cstdint>
#include <limits>

namespace stack::util {

namespace {

struct Unit {
  std::string_view name;
  uint64_t nanos;
};

// Longest names first so that "ms" wins over "m" and "µs" is matched whole.
constexpr std::array<Unit, 8> kUnits{{
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},  // U+00B5 micro sign
    {"\xCE\xBCs", 1'000},  // U+03BC greek mu, which Go accepts too
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
}};

constexpr uint64_t kMaxMagnitude = uint64_t{1} << 63;  // |INT64_MIN|

Error invalid_duration(std::string_view text, std::string_view why) {
  return fail(Errc::invalid_argument,
              "\"" + std::string(text) + "\" is not a valid duration: " + std::string(why));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads the unit starting at s[i]; returns its multiplier and advances i, or 0 when unknown.
uint64_t read_unit(std::string_view s, size_t& i) {
  size_t end = i;
  while (end < s.size() && !is_digit(s[end]) && s[end] != '.') ++end;
  std::string_view name = s.substr(i, end - i);
  for (const auto& u : kUnits) {
    if (u.name == name) {
      i = end;
      return u.nanos;
    }
  }
  return 0;
}

// One "<int>[.<frac>]<unit>" element; adds its value to total. Returns "" or the reason.
std::string_view read_element(std::string_view s, size_t& i, uint64_t& total) {
  uint64_t whole = 0;
  bool overflow = false, any = false;
  size_t start = i;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    uint64_t digit = uint64_t(s[i] - '0');
    if (overflow || whole > (kMaxMagnitude - digit) / 10) {
      overflow = true;
      continue;
    }
    whole = whole * 10 + digit;
  }
  any = i > start;
  // The fraction is kept as digits over a power of ten, as Go does, to stay exact.
  uint64_t frac = 0, scale = 1;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t fstart = i;
    for (; i < s.size() && is_digit(s[i]); ++i) {
      if (scale > uint64_t{1} << 50) continue;  // further digits cannot change the nanoseconds
      frac = frac * 10 + uint64_t(s[i] - '0');
      scale *= 10;
    }
    any = any || i > fstart;
  }
  if (!any) return "expected a number";
  if (overflow) return "out of range";
  if (i >= s.size()) return "missing unit";
  uint64_t unit = read_unit(s, i);
  if (unit == 0) return "unknown unit";
  if (whole > kMaxMagnitude / unit) return "out of range";
  uint64_t value = whole * unit;
  // frac/scale of a unit: unit <= 3.6e12 and frac < scale <= ~1e15 would overflow, so divide first.
  long double part = static_cast<long double>(frac) * static_cast<long double>(unit) /
                     static_cast<long double>(scale);
  value += static_cast<uint64_t>(part);
  if (value > kMaxMagnitude || total > kMaxMagnitude - value) return "out of range";
  total += value;
  return {};
}

}  // namespace

Result<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return invalid_duration(text, "empty");
  uint64_t total = 0;
  size_t i = 0;
  while (i < s.size()) {
    std::string_view why = read_element(s, i, total);
    if (!why.empty()) return invalid_duration(text, why);
  }
  if (!negative && total > uint64_t(std::numeric_limits<int64_t>::max()))
    return invalid_duration(text, "out of range");
  int64_t signed_total = negative ? int64_t(0 - total) : int64_t(total);
  return std::chrono::nanoseconds(signed_total);
}

namespace {

// Appends v / 10^digits with the trailing zeros of the fraction dropped (Go's fmtFrac + fmtInt).
void append_fixed(std::string& out, uint64_t v, int digits) {
  std::string frac;
  bool printed = false;
  for (int k = 0; k < digits; ++k) {
    uint64_t digit = v % 10;
    printed = printed || digit != 0;
    if (printed) frac.insert(frac.begin(), char('0' + digit));
    v /= 10;
  }
  out += std::to_string(v);
  if (!frac.empty()) out += "." + frac;
}

}  // namespace

std::string format_duration(std::chrono::nanoseconds d) {
  int64_t n = d.count();
  if (n == 0) return "0s";
  bool negative = n < 0;
  uint64_t u = negative ? uint64_t(0) - uint64_t(n) : uint64_t(n);
  std::string out = negative ? "-" : "";
  if (u < 1'000'000'000) {
    // Sub-second: the largest unit that keeps a leading non-zero digit.
    if (u < 1'000) return out + std::to_string(u) + "ns";
    if (u < 1'000'000) {
      append_fixed(out, u, 3);
      return out + "\xC2\xB5s";
    }
    append_fixed(out, u, 6);
    return out + "ms";
  }
  uint64_t hours = u / 3'600'000'000'000;
  uint64_t minutes = (u / 60'000'000'000) % 60;
  uint64_t secs_nanos = u % 60'000'000'000;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  append_fixed(out, secs_nanos, 9);
  return out + "s";
}

}  // namespace stack::util
