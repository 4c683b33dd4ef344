// Runtime benchmark (root): median time to create + start + reap a container running /bin/true
// through the ShimRuntime, against a plain fork + exec + wait of /bin/true measured in the same run
// (the ratio is the figure to compare across machines), and the shim's memory while its container
// sleeps: VmRSS, and from smaps_rollup the proportional (Pss) and private (not shared) parts.
// Both shims are measured: `stack-shim` (static, the default) and `stack shim` (the full binary).
// Built and run by bench/shim_bench.sh: [SMAPS=1] runtime_bench <stack binary> [runs]; SMAPS=1 also
// lists the resident size of each of the shim's mappings.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "runtime/shim_runtime.hpp"
#include "support/rootfs.hpp"

using namespace stack;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

runtime::shim::ShimConfig config(const std::string& rootfs, const std::string& id,
                                 std::vector<std::string> args) {
  runtime::shim::ShimConfig c;
  c.container.rootfs.lower_layers = {rootfs};
  c.container.args = std::move(args);
  c.container.env = {"PATH=/bin"};
  c.cgroup_path = "stack/bench" + std::to_string(::getpid()) + "/" + id;
  return c;
}

double ms_since(Clock::time_point begin) {
  return std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
}

// create -> the shim reports exited -> remove; the time until exited is what a user waits for.
double run_true(runtime::ShimRuntime& rt, const std::string& rootfs, const std::string& id) {
  auto begin = Clock::now();
  if (!rt.create(id, config(rootfs, id, {"/bin/true"}))) return -1;
  for (;;) {
    auto s = rt.state(id);
    if (!s || !*s) return -1;
    if (runtime::shim::is_final((*s)->status)) break;
    std::this_thread::sleep_for(1ms);
  }
  double ms = ms_since(begin);
  (void)rt.remove(id);
  return ms;
}

double fork_exec_true() {
  auto begin = Clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/true", "true", nullptr);
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return ms_since(begin);
}

struct Summary {
  double median, min, max;
};

Summary summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

long kib_field(const std::string& text, const std::string& key) {
  auto at = text.find("\n" + key + ":");
  if (at == std::string::npos) return -1;
  return std::stol(text.substr(at + key.size() + 2));
}

// VmRSS, Pss, Private_Clean + Private_Dirty (KiB).
void print_memory(const char* name, pid_t pid) {
  std::string proc = "/proc/" + std::to_string(pid);
  std::string status = "\n" + test::read_text(proc + "/status");
  std::string rollup = test::read_text(proc + "/smaps_rollup");
  long priv = kib_field(rollup, "Private_Clean") + kib_field(rollup, "Private_Dirty");
  std::printf("%-12s VmRSS %5ld KiB  Pss %5ld KiB  private %5ld KiB (anon %ld KiB)\n", name,
              kib_field(status, "VmRSS"), kib_field(rollup, "Pss"), priv,
              kib_field(rollup, "Anonymous"));
  // What it is made of (with SMAPS=1): Rss per mapping (executable and library segments, heap, stack).
  if (std::getenv("SMAPS") == nullptr) return;
  std::istringstream smaps(test::read_text(proc + "/smaps"));
  std::string line, mapping;
  while (std::getline(smaps, line)) {
    std::istringstream fields(line);
    std::string range, perms, offset, dev, inode, path;
    fields >> range >> perms >> offset >> dev >> inode >> path;
    if (range.find('-') != std::string::npos && perms.size() == 4) {
      mapping = perms + "  " + (path.empty() ? "[anon]" : path);
    } else if (range == "Rss:") {
      long kib = std::stol(perms);
      if (kib > 0) std::printf("    %5ld KiB  %s\n", kib, mapping.c_str());
    }
  }
}

bool measure(const char* name, const char* prefix, const std::string& root, const std::string& stack,
             const std::string& shim, const std::string& rootfs, int runs, double baseline) {
  runtime::ShimRuntime rt({root, stack, shim});
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    double ms = run_true(rt, rootfs, prefix + std::to_string(i));
    if (ms < 0) {
      std::fprintf(stderr, "%s: run %d failed\n", name, i);
      return false;
    }
    times.push_back(ms);
  }
  Summary s = summarize(times);
  std::printf("%-12s create+start+reap /bin/true: median %.1f ms (min %.1f, max %.1f; %d runs)"
              " = %.1fx fork+exec\n", name, s.median, s.min, s.max, runs, s.median / baseline);
  std::string id = std::string(prefix) + "-sleeper";
  if (!rt.create(id, config(rootfs, id, {"/bin/sleep", "1000"}))) return false;
  std::this_thread::sleep_for(1500ms);  // past the shim's trim of its setup memory (1 s)
  auto st = rt.state(id);
  if (st && *st) print_memory(name, (*st)->shim_pid);
  (void)rt.remove(id);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: runtime_bench <stack binary> [runs]\n");
    return 2;
  }
  std::string stack = argv[1];
  int runs = argc > 2 ? std::stoi(argv[2]) : 30;
  test::BusyboxRootfs rootfs;
  test::TempDir root("stack-bench");
  if (!rootfs.ok()) {
    std::fprintf(stderr, "rootfs: %s\n", rootfs.error().c_str());
    return 1;
  }
  std::vector<double> base;
  for (int i = 0; i < runs; ++i) base.push_back(fork_exec_true());
  Summary b = summarize(base);
  std::printf("%-12s fork+exec+wait /bin/true: median %.2f ms (min %.2f, max %.2f; %d runs)\n",
              "baseline", b.median, b.min, b.max, runs);
  std::string shim = runtime::find_shim_binary(stack);
  const std::string& dir = root.path();
  if (shim != stack && !measure("stack-shim", "static", dir, stack, shim, rootfs.path(), runs, b.median)) {
    return 1;
  }
  if (!measure("stack shim", "full", dir, stack, stack, rootfs.path(), runs, b.median)) return 1;
  return 0;
}
