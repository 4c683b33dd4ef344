// libFuzzer target for the judges that a layer's tar entry names pass before EntryWriter
// (src/image/layer_entry.cpp) touches the filesystem: clean_entry_path and split_parent
// (path_safety.hpp), classify_whiteout and whiteout_path_for (whiteout.hpp). Writing entries is
// not pure (chown, mknod, openat2 under a root fd), so it is not fuzzed here; this target stops
// where the first system call would be made, with what that call would be given.
//
// Two forms of input:
//   * a tar stream (a ustar header first): read from memory by libarchive with the tar format only,
//     as unpack_layer's inner reader does, and every entry's name and hard link target judged.
//     Header checksums are recomputed first, so that mutated names reach the judges;
//   * anything else: an entry name up to the first NUL, and a hard link target after it.
// For every name that is accepted: the clean path is relative, has no empty, "." or ".." component
// and cleans to itself; it splits into parent and base and joins back; the base given to the *at
// calls is a plain name; a whiteout hides a plain name in the same directory and maps back to its
// entry. A violated invariant aborts. Built and run by tests/fuzz/run.sh.
#include <archive.h>
#include <archive_entry.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "image/path_safety.hpp"
#include "image/whiteout.hpp"

namespace {

using namespace stack::image;  // NOLINT: a test driver, not a header

constexpr std::size_t kBlock = 512;
constexpr int kMaxEntries = 64;

void check(bool ok) {
  if (!ok) std::abort();
}

bool has_component(std::string_view path, std::string_view wanted) {
  std::size_t start = 0;
  for (;;) {
    std::size_t slash = path.find('/', start);
    std::string_view part = path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (part == wanted) return true;
    if (slash == std::string_view::npos) return false;
    start = slash + 1;
  }
}

// A name the *at calls may be given beside a directory fd: one component that stays in it.
bool plain_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos;
}

void check_clean(const std::string& clean) {
  check(!clean.starts_with('/') && !clean.ends_with('/'));
  check(clean.find("//") == std::string::npos);
  check(!has_component(clean, ".") && !has_component(clean, ".."));
  auto again = clean_entry_path(clean);
  check(again.has_value() && *again == clean);
  auto [parent, base] = split_parent(clean);
  check(clean.empty() ? base.empty() && parent.empty() : plain_name(base));
  check((parent.empty() ? base : parent + "/" + base) == clean);
}

void check_whiteout(const std::string& clean) {
  auto [parent, base] = split_parent(clean);
  auto wh = classify_whiteout(clean);
  const bool marked = std::string_view(base).starts_with(kWhiteoutPrefix);
  if (!wh) {
    check(marked);
    const std::string hidden = base.substr(kWhiteoutPrefix.size());
    check(hidden.empty() || hidden == "." || hidden == "..");
    return;
  }
  switch (wh->kind) {
    case WhiteoutKind::none:
      check(!marked);
      break;
    case WhiteoutKind::opaque:
      check(base == kOpaqueMarker && wh->target == parent);
      break;
    case WhiteoutKind::meta:
      check(std::string_view(base).starts_with(".wh..wh."));
      break;
    case WhiteoutKind::whiteout: {
      check(marked);
      auto [tparent, tbase] = split_parent(wh->target);
      check(tparent == parent && plain_name(tbase) && !std::string_view(tbase).starts_with(kWhiteoutPrefix));
      check_clean(wh->target);
      check(whiteout_path_for(wh->target) == clean);
      break;
    }
  }
}

// What EntryWriter::write does with an entry's name before it opens anything.
void judge_name(std::string_view raw) {
  auto clean = clean_entry_path(raw);
  if (!clean) {
    check(raw.starts_with('/') || has_component(raw, ".."));
    return;
  }
  check(!raw.starts_with('/') && !has_component(raw, ".."));
  check_clean(*clean);
  check_whiteout(*clean);
}

// What EntryWriter::write_hardlink does with a link target before it opens anything.
void judge_link(std::string_view target) {
  auto clean = clean_entry_path(target);
  if (!clean || clean->empty()) return;  // refused: "escapes the layer root"
  check_clean(*clean);
}

unsigned long octal(const char* field, std::size_t size) {
  unsigned long v = 0;
  for (std::size_t i = 0; i < size && field[i] >= '0' && field[i] <= '7'; ++i) v = v * 8 + (field[i] - '0');
  return v;
}

// Walks the headers as a tar reader does and gives each a valid checksum.
void fix_checksums(std::string& tar) {
  for (std::size_t at = 0; at + kBlock <= tar.size();) {
    char* h = tar.data() + at;
    std::memset(h + 148, ' ', 8);
    unsigned long sum = 0;
    for (std::size_t i = 0; i < kBlock; ++i) sum += static_cast<unsigned char>(h[i]);
    char field[8];
    std::snprintf(field, sizeof field, "%06lo", sum & 0777777);
    std::memcpy(h + 148, field, 7);
    const unsigned long size = octal(h + 124, 12);
    if (size > tar.size()) return;
    at += kBlock + (size + kBlock - 1) / kBlock * kBlock;
  }
}

void judge_tar(std::string tar) {
  fix_checksums(tar);
  archive* ar = archive_read_new();
  archive_read_support_format_tar(ar);
  if (archive_read_open_memory(ar, tar.data(), tar.size()) == ARCHIVE_OK) {
    archive_entry* e = nullptr;
    for (int i = 0; i < kMaxEntries && archive_read_next_header(ar, &e) >= ARCHIVE_WARN; ++i) {
      const char* name = archive_entry_pathname(e);
      if (!name) name = archive_entry_pathname_utf8(e);
      if (name) judge_name(name);
      if (const char* link = archive_entry_hardlink(e)) judge_link(link);
      archive_read_data_skip(ar);
    }
  }
  archive_read_free(ar);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (size >= kBlock && bytes.substr(257, 5) == "ustar") {
    judge_tar(std::string(bytes));
    return 0;
  }
  // Names from libarchive are C strings: the name ends at the first NUL.
  const std::size_t nul = bytes.find('\0');
  judge_name(bytes.substr(0, nul));
  if (nul != std::string_view::npos) judge_link(bytes.substr(nul + 1, bytes.find('\0', nul + 1) - nul - 1));
  return 0;
}
