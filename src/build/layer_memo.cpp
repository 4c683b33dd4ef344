#include "build/layer_memo.hpp"

#include <sys/stat.h>

#include <ctime>
#include <filesystem>

#include "build/content_memo.hpp"
#include "util/atomic_file.hpp"
#include "util/fd.hpp"
#include "util/sha256.hpp"

namespace stack::build {

namespace {

constexpr std::string_view kVersion = "v1";

void add_field(std::string& out, long long value) {
  out += std::to_string(value);
  out += ' ';
}

bool is_digest(std::string_view s) {
  return s.size() == 71 && s.starts_with("sha256:") && s.substr(7).find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

std::string LayerMemo::signature(const std::vector<CopyItem>& items) {
  std::string text;
  for (const CopyItem& it : items) {
    const struct stat& st = it.source.st;
    text += it.source.host_path;
    text += '\0';
    add_field(text, static_cast<long long>(st.st_dev));
    add_field(text, static_cast<long long>(st.st_ino));
    add_field(text, st.st_mode);
    add_field(text, st.st_uid);
    add_field(text, st.st_gid);
    add_field(text, st.st_size);
    add_field(text, static_cast<long long>(st.st_rdev));
    add_field(text, ContentMemo::nanoseconds(st.st_mtim));
    add_field(text, ContentMemo::nanoseconds(st.st_ctim));
    text += '\n';
  }
  return util::sha256_hex(text);
}

std::string LayerMemo::entry_path(std::string_view parent_key, std::string_view step,
                                  const std::vector<CopyItem>& items) const {
  std::string text(parent_key);
  text += '\0';
  text += step;
  for (const CopyItem& it : items) {
    text += '\0';
    text += it.dest;
    text += it.extract ? "\1" : "";
  }
  return dir_ + "/" + util::sha256_hex(text);
}

std::optional<std::string> LayerMemo::remembered(std::string_view parent_key, std::string_view step,
                                                 const std::vector<CopyItem>& items) const {
  if (dir_.empty()) return std::nullopt;
  auto line = util::read_file(entry_path(parent_key, step, items), 4096);
  std::string want = std::string(kVersion) + " " + signature(items) + " ";
  if (!line || !line->starts_with(want) || !line->ends_with('\n')) return std::nullopt;
  std::string layer = line->substr(want.size(), line->size() - want.size() - 1);
  return is_digest(layer) ? std::optional(layer) : std::nullopt;
}

void LayerMemo::remember(std::string_view parent_key, std::string_view step, const std::vector<CopyItem>& items,
                         const std::string& layer) const {
  if (dir_.empty() || !is_digest(layer)) return;
  const time_t now = ::time(nullptr);
  for (const CopyItem& it : items) {
    struct stat after {};
    if (!ContentMemo::settled(it.source.st, now) || ::lstat(it.source.host_path.c_str(), &after) != 0 ||
        !ContentMemo::unchanged(it.source.st, after)) {
      return;
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  // A memo that cannot be written costs the layer's making next time, nothing else.
  (void)util::write_file_atomic(entry_path(parent_key, step, items),
                                std::string(kVersion) + " " + signature(items) + " " + layer + "\n",
                                util::Durability::process_crash);
}

}  // namespace stack::build
