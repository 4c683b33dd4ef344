#include "runtime/cgroup/rt_budget.hpp"

#include <cerrno>
#include <vector>

#include "runtime/cgroup/cgroupfs.hpp"

namespace stack::runtime::cgroup::detail {

namespace {

constexpr const char* kRuntime = "cpu.rt_runtime_us";
constexpr const char* kPeriod = "cpu.rt_period_us";

// Microseconds of real-time per second, rounded up: what the kernel's check compares.
int64_t per_second(int64_t runtime_us, int64_t period_us) {
  if (runtime_us <= 0 || period_us <= 0) return 0;
  return (runtime_us * 1000000 + period_us - 1) / period_us;
}

util::Result<int64_t> share_of(const std::string& dir) {
  STACK_ASSIGN_OR_RETURN(std::string runtime, fs::read_file(dir + "/" + kRuntime));
  STACK_ASSIGN_OR_RETURN(uint64_t period, fs::read_u64(dir + "/" + kPeriod));
  auto value = fs::parse_u64(runtime);  // "-1" (unlimited) is only the root's
  return per_second(value ? static_cast<int64_t>(*value) : 0, static_cast<int64_t>(period));
}

// What dir's children hold together, but `except` (a child name) counted as except_share.
util::Result<int64_t> children_share(const std::string& dir, const std::string& except, int64_t except_share) {
  STACK_ASSIGN_OR_RETURN(std::vector<std::string> children, fs::list_subdirs(dir));
  int64_t sum = except.empty() ? 0 : except_share;
  for (const std::string& child : children) {
    if (child == except) continue;
    auto share = share_of(dir + "/" + child);
    // A child removed since the listing holds nothing: cgroups are removed outside the budgets'
    // lock (after their release), and another project's going must not stop this release half-way.
    if (!share && (share.error().code() == util::Errc::not_found || share.error().sys_errno() == ENODEV)) continue;
    if (!share) return std::move(share).error();
    sum += *share;
  }
  return sum;
}

// "stack/p/c" -> {"stack", "stack/p"}.
std::vector<std::string> ancestors(const std::string& rel) {
  std::vector<std::string> out;
  for (size_t slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', slash + 1)) {
    out.push_back(rel.substr(0, slash));
  }
  return out;
}

util::Result<void> set_runtime(const std::string& dir, int64_t per_second_us, const std::string& rel) {
  auto written = fs::write_file(dir + "/" + kRuntime, std::to_string(per_second_us));
  if (!written) {
    return std::move(written).error().context("cpu_rt_runtime: the real-time budget of cgroup '" + rel + "' (" +
                                              std::to_string(per_second_us) +
                                              " us per second; the host's other cgroups and the root's "
                                              "cpu.rt_runtime_us bound it)");
  }
  return util::ok();
}

}  // namespace

bool holds_rt_budget(const std::string& dir) {
  auto share = share_of(dir);
  return share && *share > 0;
}

util::Result<util::FileLock> lock_rt_budgets(const std::string& cpu_root) {
  return util::FileLock::acquire_directory(cpu_root + "/stack");
}

util::Result<void> reserve_rt_budget(const std::string& cpu_root, const std::string& rel, const Limits& limits) {
  if (!limits.cpu_rt_runtime_us) return util::ok();
  const std::vector<std::string> levels = ancestors(rel);
  // Bottom-up, what each level must hold: its other children's shares and the path child's need.
  std::vector<int64_t> need(levels.size());
  int64_t below = per_second(*limits.cpu_rt_runtime_us, limits.cpu_rt_period_us.value_or(kDefaultRtPeriodUs));
  std::string child = rel.substr(rel.rfind('/') + 1);
  for (size_t i = levels.size(); i-- > 0;) {
    STACK_ASSIGN_OR_RETURN(need[i], children_share(cpu_root + "/" + levels[i], child, below));
    below = need[i];
    child = levels[i].substr(levels[i].rfind('/') + 1);
  }
  // Top-down, so that a parent has grown before its child asks for more.
  for (size_t i = 0; i < levels.size(); ++i) {
    const std::string dir = cpu_root + "/" + levels[i];
    STACK_ASSIGN_OR_RETURN(int64_t current, share_of(dir));
    if (current < need[i]) STACK_TRY(set_runtime(dir, need[i], levels[i]));
  }
  return util::ok();
}

util::Result<void> release_rt_budget(const std::string& cpu_root, const std::string& rel) {
  if (fs::exists(cpu_root + "/" + rel)) STACK_TRY(set_runtime(cpu_root + "/" + rel, 0, rel));
  const std::vector<std::string> levels = ancestors(rel);
  // Bottom-up, so that a child has shrunk before its parent does.
  for (size_t i = levels.size(); i-- > 0;) {
    const std::string dir = cpu_root + "/" + levels[i];
    if (!fs::exists(dir)) continue;
    STACK_ASSIGN_OR_RETURN(int64_t held, children_share(dir, "", 0));
    STACK_ASSIGN_OR_RETURN(int64_t current, share_of(dir));
    if (current > held) STACK_TRY(set_runtime(dir, held, levels[i]));
  }
  return util::ok();
}

}  // namespace stack::runtime::cgroup::detail
