// Runtime benchmark (root): median time to create + start + reap a container running /bin/true
// through the ShimRuntime, and the shim's resident size while its container sleeps.
// Built and run by bench/shim_bench.sh: runtime_bench <stack binary> [runs]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "runtime/shim_runtime.hpp"
#include "support/rootfs.hpp"

using namespace stack;
using namespace std::chrono_literals;

namespace {

runtime::shim::ShimConfig config(const std::string& rootfs, const std::string& id,
                                 std::vector<std::string> args) {
  runtime::shim::ShimConfig c;
  c.container.rootfs.lower_layers = {rootfs};
  c.container.args = std::move(args);
  c.container.env = {"PATH=/bin"};
  c.cgroup_path = "stack/bench" + std::to_string(::getpid()) + "/" + id;
  return c;
}

// create -> the shim reports exited -> remove; the time until exited is what a user waits for.
double run_true(runtime::ShimRuntime& rt, const std::string& rootfs, const std::string& id) {
  auto begin = std::chrono::steady_clock::now();
  if (!rt.create(id, config(rootfs, id, {"/bin/true"}))) return -1;
  for (;;) {
    auto s = rt.state(id);
    if (!s || !*s) return -1;
    if (runtime::shim::is_final((*s)->status)) break;
    std::this_thread::sleep_for(1ms);
  }
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  (void)rt.remove(id);
  return ms;
}

long vm_rss_kib(pid_t pid) {
  std::string status = test::read_text("/proc/" + std::to_string(pid) + "/status");
  auto at = status.find("VmRSS:");
  return at == std::string::npos ? -1 : std::stol(status.substr(at + 6));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: runtime_bench <stack binary> [runs]\n");
    return 2;
  }
  int runs = argc > 2 ? std::stoi(argv[2]) : 30;
  test::BusyboxRootfs rootfs;
  test::TempDir root("stack-bench");
  if (!rootfs.ok()) {
    std::fprintf(stderr, "rootfs: %s\n", rootfs.error().c_str());
    return 1;
  }
  runtime::ShimRuntime rt({root.path(), argv[1]});
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    double ms = run_true(rt, rootfs.path(), "b" + std::to_string(i));
    if (ms < 0) {
      std::fprintf(stderr, "run %d failed\n", i);
      return 1;
    }
    times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  std::printf("create+start+reap /bin/true: median %.1f ms, min %.1f ms, max %.1f ms (%d runs)\n",
              times[times.size() / 2], times.front(), times.back(), runs);

  std::string id = "sleeper";
  if (!rt.create(id, config(rootfs.path(), id, {"/bin/sleep", "1000"}))) return 1;
  std::this_thread::sleep_for(500ms);
  auto s = rt.state(id);
  long rss = s && *s ? vm_rss_kib((*s)->shim_pid) : -1;
  std::printf("shim VmRSS while its container sleeps: %ld KiB\n", rss);
  (void)rt.remove(id);
  return 0;
}
