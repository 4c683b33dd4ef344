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
  bool ours = false;    // a read-only mapping of the executable
  long anonymous = -1;  // KiB of its pages that were written (copied on write), by us or before a fork
};

void release(const Mapping& m) {
  // Never written: the file's contents are the pages' contents. A written page is anonymous even
  // when it is not private dirty: a relocated GOT (RELRO, read-only again) that a forked child
  // still shares counts as shared dirty, and dropping it would reload the unrelocated file page.
  if (m.ours && m.anonymous == 0) ::madvise(reinterpret_cast<void*>(m.start), m.end - m.start, MADV_DONTNEED);
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
    } else if (std::sscanf(line, "Anonymous: %ld kB", &kib) == 1) {
      current.anonymous = kib;
    }
  }
  release(current);
  std::fclose(smaps);
}

}  // namespace stack::util
