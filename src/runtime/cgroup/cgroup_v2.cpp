#include "runtime/cgroup/cgroup_v2.hpp"

#include <fcntl.h>
#include <signal.h>

#include "runtime/cgroup/cgroupfs.hpp"
#include "runtime/cgroup/device_filter.hpp"
#include "runtime/cgroup/settings.hpp"
#include "runtime/cgroup/writer.hpp"

namespace stack::runtime::cgroup {

using util::Errc;
using util::Result;

namespace {

// Enabled for every container when the root offers them, so that stats() has memory and pids
// numbers even without a limit. cpu usage needs no controller on v2 (cpu.stat is in the core).
constexpr const char* kWanted[] = {"memory", "pids"};

std::string join(const std::set<std::string>& names, const char* sep) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : sep) + n;
  return out;
}

}  // namespace

std::set<std::string> parse_controller_list(std::string_view text) {
  std::set<std::string> out;
  while (!text.empty()) {
    auto end = text.find_first_of(" \n");
    std::string_view word = text.substr(0, end);
    if (!word.empty() && word.front() == '+') word.remove_prefix(1);  // a fake file keeps our "+x"
    if (!word.empty()) out.emplace(word);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  }
  return out;
}

V2Manager::V2Manager(std::string relative_path, std::string unified_root)
    : rel_(std::move(relative_path)), root_(std::move(unified_root)), dir_(root_ + "/" + rel_) {}

util::Error V2Manager::error(util::Error e) const { return std::move(e.context("cgroup '" + rel_ + "'")); }

Result<std::set<std::string>> V2Manager::usable_controllers(const std::set<std::string>& required,
                                                            std::vector<std::string>& notes) const {
  STACK_ASSIGN_OR_RETURN(std::string text, fs::read_file(root_ + "/cgroup.controllers"));
  std::set<std::string> offered = parse_controller_list(text);
  std::string offers = offered.empty() ? "none" : join(offered, " ");
  for (const auto& c : required) {
    // On a hybrid host every controller is bound to v1 and the cgroup2 mount offers none: saying so
    // beats a limit that silently does nothing.
    if (!offered.count(c)) {
      return util::fail(Errc::unsupported, "controller '" + c + "' is not available in the cgroup v2 hierarchy at '" +
                                               root_ + "' (it offers: " + offers + ")");
    }
  }
  std::set<std::string> usable = required;
  for (const char* c : kWanted) {
    if (offered.count(c)) {
      usable.insert(c);
    } else {
      notes.push_back(std::string("controller '") + c + "' is not available in '" + root_ +
                      "': its stats will read 0");
    }
  }
  return usable;
}

Result<void> V2Manager::enable_controllers(const std::set<std::string>& controllers) const {
  // Each level must delegate a controller to its children before the leaf gets its files; a level
  // that already does is not written (the root belongs to the host).
  if (controllers.empty()) return util::ok();
  std::string dir = root_;
  std::string_view rest = rel_;
  while (true) {
    STACK_ASSIGN_OR_RETURN(std::string text, fs::read_file(dir + "/cgroup.subtree_control"));
    std::set<std::string> enabled = parse_controller_list(text);
    std::string add;
    for (const auto& c : controllers) {
      if (!enabled.count(c)) add += (add.empty() ? "+" : " +") + c;
    }
    if (!add.empty()) {
      auto r = fs::write_file(dir + "/cgroup.subtree_control", add);
      if (!r) return std::move(r.error().context("in '" + dir + "'"));
    }
    auto slash = rest.find('/');
    if (slash == std::string_view::npos) break;  // the next level is the leaf itself
    dir += "/" + std::string(rest.substr(0, slash));
    rest = rest.substr(slash + 1);
  }
  return util::ok();
}

Result<Applied> V2Manager::create(const Limits& limits) {
  if (auto valid = validate(limits); !valid) return error(std::move(valid).error());
  if (limits.cpu_rt_runtime_us || limits.cpu_rt_period_us) {
    return error(util::fail(util::Errc::unsupported,
                            "cpu_rt_runtime and cpu_rt_period need cgroup v1: cgroup v2 has no real-time group scheduling"));
  }
  std::vector<Setting> settings = settings_v2(limits);
  std::set<std::string> required;
  for (const auto& s : settings) required.insert(s.controller);
  std::vector<std::string> notes;
  auto usable = usable_controllers(required, notes);
  if (!usable) return error(std::move(usable).error());

  auto made = fs::mkdir_p(root_, rel_);
  if (!made) return error(std::move(made).error());
  auto enabled = enable_controllers(*usable);
  auto applied = enabled ? detail::apply_settings(settings, [this](const std::string&) { return dir_; })
                         : Result<std::vector<std::string>>(std::move(enabled).error());
  if (applied && limits.devices) {
    if (auto r = attach_device_filter(dir_, *limits.devices); !r) applied = std::move(r).error();
  }
  if (!applied) {
    fs::remove_dirs(*made);
    return error(std::move(applied).error());
  }
  notes.insert(notes.end(), applied->begin(), applied->end());
  // What docker does on v2 too: the setting has no file there, so it is dropped with a warning.
  if (limits.memory_swappiness) notes.push_back("memory_swappiness: cgroup v2 has no per-cgroup swappiness; not applied");
  if (limits.oom_kill_disable) notes.push_back("oom_kill_disable: cgroup v2 cannot disable the OOM killer; not applied");
  return Applied{!made->empty(), std::move(notes)};
}

util::UniqueFd V2Manager::clone_target() const {
  auto fd = util::UniqueFd::open(dir_, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return fd ? std::move(*fd) : util::UniqueFd{};
}

Result<void> V2Manager::add_process(pid_t pid) {
  auto r = fs::write_file(dir_ + "/cgroup.procs", std::to_string(pid));
  if (!r) return error(std::move(r).error().context("add process " + std::to_string(pid)));
  return r;
}

Result<std::vector<pid_t>> V2Manager::pids() const {
  auto r = detail::procs_union({dir_});
  if (!r) return error(std::move(r).error());
  return r;
}

namespace {

Result<Stats> read_stats(const std::string& dir) {
  Stats st;
  STACK_ASSIGN_OR_RETURN(std::string text, fs::read_file(dir + "/cgroup.controllers"));
  std::set<std::string> enabled = parse_controller_list(text);
  if (enabled.count("memory")) {
    STACK_ASSIGN_OR_RETURN(st.memory_usage, fs::read_u64(dir + "/memory.current"));
    STACK_ASSIGN_OR_RETURN(std::string max, fs::read_file(dir + "/memory.max"));
    st.memory_limit = fs::parse_u64(max);  // "max" -> nullopt
    STACK_ASSIGN_OR_RETURN(std::string events, fs::read_file(dir + "/memory.events"));
    st.oom_kill_count = fs::parse_keyed(events, "oom_kill").value_or(0);
  } else {
    st.missing.push_back("memory");
  }
  STACK_ASSIGN_OR_RETURN(std::string cpu, fs::read_file(dir + "/cpu.stat"));
  st.cpu_usage_ns = fs::parse_keyed(cpu, "usage_usec").value_or(0) * 1000;
  if (enabled.count("pids")) {
    STACK_ASSIGN_OR_RETURN(st.pids_current, fs::read_u64(dir + "/pids.current"));
  } else {
    st.missing.push_back("pids");
  }
  return st;
}

}  // namespace

Result<Stats> V2Manager::stats() const {
  auto r = read_stats(dir_);
  if (!r) return error(std::move(r).error());
  return r;
}

Result<bool> V2Manager::oom_killed() const {
  // memory.events exists only with the memory controller enabled; without it there is no cgroup
  // limit for the kernel to enforce, hence no OOM kill to report.
  auto text = fs::read_file(dir_ + "/memory.events");
  if (!text && text.error().code() == Errc::not_found) return false;
  if (!text) return error(std::move(text).error());
  return fs::parse_keyed(*text, "oom_kill").value_or(0) > 0;
}

Result<std::size_t> V2Manager::kill_all(int signal) {
  // cgroup.kill (5.14+) kills every process atomically, including ones forked meanwhile, and has no
  // pid-reuse race; older kernels get the list-and-signal loop.
  if (signal == SIGKILL && fs::exists(dir_ + "/cgroup.kill")) {
    auto before = detail::procs_union({dir_});
    if (!before) return error(std::move(before).error());
    if (before->empty()) return std::size_t{0};
    auto r = fs::write_file(dir_ + "/cgroup.kill", "1");
    if (r) r = detail::wait_empty({dir_});
    if (!r) return error(std::move(r).error().context("kill"));
    return before->size();
  }
  auto r = detail::signal_all({dir_}, signal, signal == SIGKILL);
  if (!r) return error(std::move(r).error().context("kill"));
  return r;
}

Result<bool> V2Manager::destroy() {
  if (!fs::exists(dir_)) return false;
  STACK_TRY(kill_all(SIGKILL));
  auto r = detail::remove_tree({root_}, rel_);
  if (!r) return error(std::move(r).error());
  return r;
}

}  // namespace stack::runtime::cgroup
