#include "util/tmpfs_options.hpp"

#include <sys/mount.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace stack::util {

namespace {

struct FlagWord {
  std::string_view word;
  unsigned long flag;
  bool set;  // false: the word clears the flag
};

constexpr std::array<FlagWord, 19> kFlagWords{{
    {"ro", MS_RDONLY, true},          {"rw", MS_RDONLY, false},
    {"noexec", MS_NOEXEC, true},      {"exec", MS_NOEXEC, false},
    {"nosuid", MS_NOSUID, true},      {"suid", MS_NOSUID, false},
    {"nodev", MS_NODEV, true},        {"dev", MS_NODEV, false},
    {"sync", MS_SYNCHRONOUS, true},   {"async", MS_SYNCHRONOUS, false},
    {"dirsync", MS_DIRSYNC, true},
    {"noatime", MS_NOATIME, true},    {"atime", MS_NOATIME, false},
    {"nodiratime", MS_NODIRATIME, true}, {"diratime", MS_NODIRATIME, false},
    {"relatime", MS_RELATIME, true},  {"norelatime", MS_RELATIME, false},
    {"strictatime", MS_STRICTATIME, true}, {"nostrictatime", MS_STRICTATIME, false},
}};

bool is_number(std::string_view s, bool suffix_allowed) {
  if (suffix_allowed && !s.empty() && std::string_view("kKmMgG").find(s.back()) != std::string_view::npos) {
    s.remove_suffix(1);
  }
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// tmpfs's own key=value options; an empty string when the value is good, else why not.
std::string check_data(std::string_view key, std::string_view value) {
  if (key == "uid" || key == "gid") return is_number(value, false) ? "" : "a number";
  if (key == "nr_inodes" || key == "nr_blocks") return is_number(value, true) ? "" : "a number, with k, m or g";
  if (key == "huge") {
    for (std::string_view v : {"never", "always", "within_size", "advise"}) {
      if (value == v) return "";
    }
    return "never, always, within_size or advise";
  }
  return "?";
}

}  // namespace

Result<TmpfsMountOptions> tmpfs_mount_options(const std::vector<std::string>& words, unsigned long base_flags) {
  TmpfsMountOptions out{base_flags, ""};
  for (const std::string& word : words) {
    auto flag = std::find_if(kFlagWords.begin(), kFlagWords.end(), [&](const FlagWord& f) { return f.word == word; });
    if (flag != kFlagWords.end()) {
      out.flags = flag->set ? out.flags | flag->flag : out.flags & ~flag->flag;
      continue;
    }
    const size_t eq = word.find('=');
    const std::string_view key = std::string_view(word).substr(0, eq);
    const std::string why = eq == std::string::npos ? "?" : check_data(key, std::string_view(word).substr(eq + 1));
    if (why == "?") return fail(Errc::invalid_argument, "'" + word + "' is not a tmpfs mount option");
    if (!why.empty()) return fail(Errc::invalid_argument, "tmpfs option '" + word + "': " + std::string(key) + " must be " + why);
    out.data += (out.data.empty() ? "" : ",") + word;
  }
  return out;
}

}  // namespace stack::util
