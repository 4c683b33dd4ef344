#include "util/device_rule.hpp"

#include <charconv>

namespace stack::util {

namespace {

Result<std::optional<std::uint32_t>> parse_number(std::string_view text, const char* what) {
  if (text == "*") return std::optional<std::uint32_t>{};
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return fail(Errc::invalid_argument, std::string(what) + " '" + std::string(text) +
                                                  "' is not a number or '*'");
  }
  return std::optional<std::uint32_t>{value};
}

std::string number_or_star(const std::optional<std::uint32_t>& n) { return n ? std::to_string(*n) : "*"; }

}  // namespace

Result<std::uint32_t> parse_device_access(std::string_view text) {
  if (text.empty()) return fail(Errc::invalid_argument, "no access given (use a subset of 'rwm')");
  std::uint32_t access = 0;
  for (char c : text) {
    std::uint32_t bit = c == 'r' ? kAccessRead : c == 'w' ? kAccessWrite : c == 'm' ? kAccessMknod : 0;
    if (bit == 0 || (access & bit)) {
      return fail(Errc::invalid_argument, "access '" + std::string(text) + "' is not a subset of 'rwm'");
    }
    access |= bit;
  }
  return access;
}

Result<DeviceRule> parse_device_rule(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return fail(Errc::invalid_argument, "device rule '" + std::string(text) + "': " + why);
  };
  DeviceRule rule;
  if (text.empty()) return bad("empty (expected 'TYPE MAJOR:MINOR ACCESS', e.g. 'c 1:3 rwm')");
  if (text[0] != 'a' && text[0] != 'b' && text[0] != 'c') return bad("the type must be a, b or c");
  rule.type = static_cast<DeviceType>(text[0]);
  if (text.size() == 1 && rule.type == DeviceType::all) return rule;
  if (text.size() < 2 || text[1] != ' ') return bad("expected 'TYPE MAJOR:MINOR ACCESS', e.g. 'c 1:3 rwm'");
  std::string_view rest = text.substr(2);
  auto space = rest.find(' ');
  if (space == std::string_view::npos) return bad("expected 'TYPE MAJOR:MINOR ACCESS', e.g. 'c 1:3 rwm'");
  std::string_view numbers = rest.substr(0, space);
  auto colon = numbers.find(':');
  if (colon == std::string_view::npos) return bad("expected MAJOR:MINOR, e.g. '1:3' or '8:*'");
  auto major = parse_number(numbers.substr(0, colon), "major");
  if (!major) return bad(major.error().message());
  auto minor = parse_number(numbers.substr(colon + 1), "minor");
  if (!minor) return bad(minor.error().message());
  auto access = parse_device_access(rest.substr(space + 1));
  if (!access) return bad(access.error().message());
  rule.major = *major;
  rule.minor = *minor;
  rule.access = *access;
  return rule;
}

std::string to_string(const DeviceRule& rule) {
  std::string access;
  if (rule.access & kAccessRead) access += 'r';
  if (rule.access & kAccessWrite) access += 'w';
  if (rule.access & kAccessMknod) access += 'm';
  return std::string(1, static_cast<char>(rule.type)) + " " + number_or_star(rule.major) + ":" +
         number_or_star(rule.minor) + " " + access;
}

}  // namespace stack::util
