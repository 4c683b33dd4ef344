#include "kube/names.hpp"

#include <cctype>

namespace stack::kube {

namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool name_char(char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; }

// [A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])? of at most 63: label values and key names.
bool is_label_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxLabel || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s)
    if (!name_char(c)) return false;
  return true;
}

}  // namespace

bool is_dns1123_label(std::string_view s) {
  if (s.empty() || s.size() > kMaxLabel || !lower_alnum(s.front()) || !lower_alnum(s.back()))
    return false;
  for (char c : s)
    if (!lower_alnum(c) && c != '-') return false;
  return true;
}

bool is_dns1035_label(std::string_view s) {
  return is_dns1123_label(s) && s.front() >= 'a' && s.front() <= 'z';
}

bool is_dns1123_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    if (!is_dns1123_label(s.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_label_value(std::string_view s) { return s.empty() || is_label_name(s); }

bool is_qualified_name(std::string_view key) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos) return is_label_name(key);
  return is_dns1123_subdomain(key.substr(0, slash)) && is_label_name(key.substr(slash + 1));
}

bool is_port_name(std::string_view s) {
  if (s.empty() || s.size() > 15 || s.front() == '-' || s.back() == '-') return false;
  bool letter = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!lower_alnum(s[i]) && s[i] != '-') return false;
    if (s[i] == '-' && i > 0 && s[i - 1] == '-') return false;
    letter = letter || (s[i] >= 'a' && s[i] <= 'z');
  }
  return letter;
}

bool is_config_key(std::string_view key) {
  if (key.empty() || key.size() > 253 || key == "." || key == "..") return false;
  for (char c : key)
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

bool is_env_name(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front()))) return false;
  for (char c : s)
    if (!name_char(c)) return false;
  return true;
}

std::string to_dns_label(std::string_view text, size_t max) {
  std::string out;
  for (char c : text) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out += lower_alnum(l) ? l : '-';
  }
  size_t first = out.find_first_not_of('-');
  if (first == std::string::npos) return "";
  out = out.substr(first, max);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string to_label_value(std::string_view text) {
  std::string out;
  for (char c : text) out += name_char(c) ? c : '-';
  size_t first = 0;
  while (first < out.size() && !alnum(out[first])) ++first;
  out = out.substr(first, kMaxLabel);
  while (!out.empty() && !alnum(out.back())) out.pop_back();
  return out;
}

}  // namespace stack::kube
