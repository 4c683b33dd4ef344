#include "util/code_pages.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace stack::util {

namespace {

struct Mapping {
  unsigned long start = 0, end = 0;
  bool ours = false;      // a read-only mapping of the executable
  long private_dirty = -1;
};

void release(const Mapping& m) {
  // Never written (no private dirty page): the file's contents are the pages' contents.
  if (m.ours && m.private_dirty == 0) ::madvise(reinterpret_cast<void*>(m.start), m.end - m.start, MADV_DONTNEED);
}

}  // namespace

void release_code_pages() {
  char exe[4096];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return;
  exe[n] = '\0';
  FILE* smaps = std::fopen("/proc/self/smaps", "re");
  if (smaps == nullptr) return;
  char line[4096 + 256];
  Mapping current;
  while (std::fgets(line, sizeof line, smaps) != nullptr) {
    unsigned long start = 0, end = 0;
    char perms[5] = {};
    int path_at = 0;
    long kib = 0;
    if (std::sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &start, &end, perms, &path_at) >= 3 && path_at > 0) {
      release(current);
      std::string path = line + path_at;
      while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
      current = {start, end, path == exe && perms[1] != 'w', -1};
    } else if (std::sscanf(line, "Private_Dirty: %ld kB", &kib) == 1) {
      current.private_dirty = kib;
    }
  }
  release(current);
  std::fclose(smaps);
}

}  // namespace stack::util
