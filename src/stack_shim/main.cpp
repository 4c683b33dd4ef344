// `stack-shim`: the per-container supervisor as its own small executable, linked statically against
// the runtime only (no CLI11, yaml-cpp, curl, libarchive, systemd), so that its resident size is the
// shim's own (docs/performance.md). ShimRuntime starts it when it sits next to `stack`; otherwise it
// runs `stack shim`, which does the same. It takes the same arguments, so that both look alike in
// /proc/<pid>/cmdline (shim_alive() relies on it):
//   stack-shim --root ROOT shim --id ID [--ready-fd N]
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "runtime/shim/shim.hpp"

namespace {

int usage(const char* why) {
  std::fprintf(stderr, "stack-shim: %s (usage: stack-shim --root ROOT shim --id ID [--ready-fd N])\n", why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  stack::runtime::shim::ShimOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "shim") continue;
    if (i + 1 >= argc) return usage("missing value");
    const char* value = argv[++i];
    if (arg == "--root") {
      options.root = value;
    } else if (arg == "--id") {
      options.id = value;
    } else if (arg == "--ready-fd") {
      char* end = nullptr;
      long fd = std::strtol(value, &end, 10);
      if (*value == '\0' || *end != '\0' || fd < 0 || fd > 1 << 20) return usage("bad --ready-fd");
      options.ready_fd = static_cast<int>(fd);
    } else {
      return usage("unknown argument");
    }
  }
  if (options.root.empty() || options.id.empty()) return usage("--root and --id are required");
  return stack::runtime::shim::run_shim(options);
}
