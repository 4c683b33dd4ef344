#include "runtime/cgroup/cgroup_v1.hpp"

#include <fcntl.h>
#include <signal.h>

#include <algorithm>
#include <optional>

#include "runtime/cgroup/cgroupfs.hpp"
#include "runtime/cgroup/rt_budget.hpp"
#include "runtime/cgroup/settings.hpp"
#include "runtime/cgroup/writer.hpp"

namespace stack::runtime::cgroup {

using util::Result;

namespace {

// Controllers a container joins: the ones it can be limited by, plus cpuacct for its cpu usage.
// devices for the allow list of devices.hpp; freezer is left out: kill_all needs no freezer.
constexpr const char* kJoined[] = {"memory", "cpu", "cpuacct", "cpuset", "pids", "blkio", "devices"};

// v1 memory.limit_in_bytes reads as PAGE_COUNTER_MAX pages when unlimited; anything this large is
// "no limit" on every page size.
constexpr uint64_t kUnlimitedAbove = uint64_t{1} << 62;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

V1Manager::V1Manager(std::string relative_path, const std::map<std::string, std::string>& controllers)
    : rel_(std::move(relative_path)) {
  for (const char* name : kJoined) {
    auto it = controllers.find(name);
    if (it != controllers.end()) controllers_.emplace(name, it->second);
  }
}

util::Error V1Manager::error(util::Error e) const { return std::move(e.context("cgroup '" + rel_ + "'")); }

std::string V1Manager::dir_of(const std::string& controller) const {
  auto it = controllers_.find(controller);
  return it == controllers_.end() ? "" : it->second + "/" + rel_;
}

std::vector<std::string> V1Manager::roots() const {
  std::vector<std::string> out;
  for (const auto& [name, root] : controllers_) {
    if (std::find(out.begin(), out.end(), root) == out.end()) out.push_back(root);
  }
  return out;
}

std::vector<std::string> V1Manager::dirs() const {
  std::vector<std::string> out;
  for (const auto& root : roots()) out.push_back(root + "/" + rel_);
  return out;
}

Result<void> V1Manager::init_cpuset() const {
  // A v1 cpuset starts with empty cpus and mems, and a task cannot join it until both are set: fill
  // each level from its parent, from the top of our path down (existing values are kept).
  auto it = controllers_.find("cpuset");
  if (it == controllers_.end()) return util::ok();
  std::string parent = it->second;
  std::string_view rest = rel_;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string dir = parent + "/" + std::string(rest.substr(0, slash));
    for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
      STACK_ASSIGN_OR_RETURN(std::string current, fs::read_file(dir + "/" + file));
      if (!trimmed(current).empty()) continue;
      STACK_ASSIGN_OR_RETURN(std::string inherited, fs::read_file(parent + "/" + file));
      STACK_TRY(fs::write_file(dir + "/" + file, trimmed(inherited)));
    }
    parent = dir;
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  }
  return util::ok();
}

Result<std::vector<std::string>> V1Manager::apply(const Limits& limits) const {
  std::vector<Setting> settings = settings_v1(limits);
  // Raising the memory limit of an existing cgroup above its current memory+swap limit fails with
  // EINVAL (memsw >= memory always); the table writes memory first, which is right for a new
  // cgroup, so swap the two rows when memsw must grow first.
  auto mem = std::find_if(settings.begin(), settings.end(),
                          [](const Setting& s) { return s.file == "memory.limit_in_bytes"; });
  auto memsw = std::find_if(settings.begin(), settings.end(),
                            [](const Setting& s) { return s.file == "memory.memsw.limit_in_bytes"; });
  if (mem != settings.end() && memsw != settings.end() && !dir_of("memory").empty()) {
    auto current = fs::read_u64(dir_of("memory") + "/memory.memsw.limit_in_bytes");
    if (current && fs::parse_u64(mem->value).value_or(0) > *current) {
      std::iter_swap(mem, memsw);
    }
  }
  return detail::apply_settings(settings, [this](const std::string& c) { return dir_of(c); });
}

Result<Applied> V1Manager::create(const Limits& limits) {
  if (auto valid = validate(limits); !valid) return error(std::move(valid).error());
  if (controllers_.empty()) {
    return error(util::fail(util::Errc::unsupported, "no cgroup v1 controller is mounted"));
  }
  std::vector<std::string> made;
  for (const auto& root : roots()) {
    auto r = fs::mkdir_p(root, rel_);
    if (!r) {
      fs::remove_dirs(made);
      return error(std::move(r).error());
    }
    made.insert(made.end(), r->begin(), r->end());
  }
  auto init = init_cpuset();
  if (!init) {
    fs::remove_dirs(made);
    return error(std::move(init).error());
  }
  // Real-time time: the ancestors' budgets first, all under the budgets' lock (rt_budget.hpp).
  std::optional<util::FileLock> rt_lock;
  const std::string cpu_root = controllers_.count("cpu") ? controllers_.at("cpu") : "";
  auto notes = [&]() -> Result<std::vector<std::string>> {
    if (limits.cpu_rt_runtime_us && !cpu_root.empty()) {
      STACK_ASSIGN_OR_RETURN(rt_lock, detail::lock_rt_budgets(cpu_root));
      STACK_TRY(detail::reserve_rt_budget(cpu_root, rel_, limits));
    }
    return apply(limits);
  }();
  if (!notes) {
    if (rt_lock) (void)detail::release_rt_budget(cpu_root, rel_);
    fs::remove_dirs(made);
    return error(std::move(notes).error());
  }
  return Applied{!made.empty(), std::move(*notes)};
}

Result<void> V1Manager::add_process(pid_t pid) {
  for (const auto& dir : dirs()) {
    auto r = fs::write_file(dir + "/cgroup.procs", std::to_string(pid));
    if (!r) return error(std::move(r).error().context("add process " + std::to_string(pid)));
  }
  return util::ok();
}

std::vector<util::UniqueFd> V1Manager::self_join_files() const {
  std::vector<util::UniqueFd> files;
  for (const auto& dir : dirs()) {
    auto fd = util::UniqueFd::open(dir + "/tasks", O_WRONLY | O_CLOEXEC);
    if (!fd) return {};
    files.push_back(std::move(*fd));
  }
  return files;
}

Result<std::vector<pid_t>> V1Manager::pids() const {
  auto r = detail::procs_union(dirs());
  if (!r) return error(std::move(r).error());
  return r;
}

namespace {

Result<Stats> read_stats(const V1Manager& m) {
  Stats st;
  if (std::string dir = m.dir_of("memory"); !dir.empty()) {
    STACK_ASSIGN_OR_RETURN(st.memory_usage, fs::read_u64(dir + "/memory.usage_in_bytes"));
    STACK_ASSIGN_OR_RETURN(uint64_t limit, fs::read_u64(dir + "/memory.limit_in_bytes"));
    if (limit < kUnlimitedAbove) st.memory_limit = limit;
    STACK_ASSIGN_OR_RETURN(std::string oom, fs::read_file(dir + "/memory.oom_control"));
    st.oom_kill_count = fs::parse_keyed(oom, "oom_kill").value_or(0);
  } else {
    st.missing.push_back("memory");
  }
  if (std::string dir = m.dir_of("cpuacct"); !dir.empty()) {
    STACK_ASSIGN_OR_RETURN(st.cpu_usage_ns, fs::read_u64(dir + "/cpuacct.usage"));
  } else {
    st.missing.push_back("cpuacct");
  }
  if (std::string dir = m.dir_of("pids"); !dir.empty()) {
    STACK_ASSIGN_OR_RETURN(st.pids_current, fs::read_u64(dir + "/pids.current"));
  } else {
    st.missing.push_back("pids");
  }
  return st;
}

}  // namespace

Result<Stats> V1Manager::stats() const {
  auto r = read_stats(*this);
  if (!r) return error(std::move(r).error());
  return r;
}

Result<bool> V1Manager::oom_killed() const {
  // Without a memory hierarchy there is no cgroup limit for the kernel to enforce, hence no OOM kill.
  if (dir_of("memory").empty()) return false;
  auto text = fs::read_file(dir_of("memory") + "/memory.oom_control");
  if (!text) return error(std::move(text).error());
  return fs::parse_keyed(*text, "oom_kill").value_or(0) > 0;
}

Result<std::size_t> V1Manager::kill_all(int signal) {
  auto r = detail::signal_all(dirs(), signal, signal == SIGKILL);
  if (!r) return error(std::move(r).error().context("kill"));
  return r;
}

Result<bool> V1Manager::destroy() {
  auto all = dirs();
  if (std::none_of(all.begin(), all.end(), [](const std::string& d) { return fs::exists(d); })) return false;
  STACK_TRY(kill_all(SIGKILL));
  // Page cache charged to a memory cgroup (the files its processes read first) keeps it alive
  // after rmdir, as a dying cgroup that every later cgroup operation of the kernel walks past:
  // after 300 containers `up` of 50 took 1.3 s instead of 0.95 s. force_empty reclaims those pages
  // first, so that the cgroup goes at once. Best effort. Written even with no page cache charged:
  // it also drains the per-CPU charge caches that hold the cgroup (skipped then, 50 `run --rm`
  // left ~58 dying memory cgroups instead of ~14).
  if (auto it = controllers_.find("memory"); it != controllers_.end()) {
    (void)fs::write_file(it->second + "/" + rel_ + "/memory.force_empty", "0");
  }
  if (const std::string cpu_dir = dir_of("cpu"); !cpu_dir.empty() && detail::holds_rt_budget(cpu_dir)) {
    const std::string cpu_root = controllers_.at("cpu");
    STACK_ASSIGN_OR_RETURN(util::FileLock lock, detail::lock_rt_budgets(cpu_root));
    if (auto released = detail::release_rt_budget(cpu_root, rel_); !released) return error(std::move(released).error());
  }
  auto r = detail::remove_tree(roots(), rel_);
  if (!r) return error(std::move(r).error());
  return r;
}

}  // namespace stack::runtime::cgroup
