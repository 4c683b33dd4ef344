#include "runtime/cgroup/writer.hpp"

#include <signal.h>

#include <algorithm>
#include <set>
#include <thread>

#include "runtime/cgroup/cgroupfs.hpp"

namespace stack::runtime::cgroup::detail {

using util::Errc;
using util::Result;

namespace {

// Polling interval of the bounded loops: exit and css teardown are asynchronous in the kernel and
// cgroup v1 offers no event to wait on (v2 has cgroup.events, but one loop serves both).
constexpr std::chrono::milliseconds kPoll{10};

Result<std::string> unavailable(const Setting& s, const std::string& dir) {
  std::string msg = "controller '" + s.controller + "' is not available";
  if (dir.empty()) return util::fail(Errc::unsupported, msg + " (no hierarchy is mounted for it)");
  msg += ": no '" + s.file + "'";
  if (!s.alt_file.empty()) msg += " or '" + s.alt_file + "'";
  return util::fail(Errc::unsupported, msg + " in '" + dir + "'" + absent_hint(s.file));
}

// Which file of s to write in dir (the main one, or the alternative); "" when neither exists.
std::string pick_file(const Setting& s, const std::string& dir, std::string& value) {
  if (fs::exists(dir + "/" + s.file)) {
    value = s.value;
    return s.file;
  }
  if (!s.alt_file.empty() && fs::exists(dir + "/" + s.alt_file)) {
    value = s.alt_value;
    return s.alt_file;
  }
  return "";
}

}  // namespace

std::string absent_hint(const std::string& file) {
  if (file.rfind("memory.memsw.", 0) == 0) return " (swap accounting is off: boot with swapaccount=1)";
  if (file == "memory.swap.max") return " (the kernel has no swap accounting)";
  if (file == "blkio.weight" || file == "io.weight") return " (no proportional I/O scheduler: try bfq)";
  return "";
}

Result<std::vector<std::string>> apply_settings(const std::vector<Setting>& settings, const DirOf& dir_of) {
  std::vector<std::string> notes;
  for (const auto& s : settings) {
    std::string dir = dir_of(s.controller);
    std::string value;
    std::string file = dir.empty() ? "" : pick_file(s, dir, value);
    if (file.empty() && s.need == Need::if_present) {
      notes.push_back("skipped " + s.file + "=" + s.value + ": the file is absent" + absent_hint(s.file) +
                      " and the value is the kernel default");
      continue;
    }
    // The subject is the setting's file, which a caller can name in its own terms ("cpuset").
    if (file.empty()) return std::move(unavailable(s, dir)).error().with_subject("cgroup " + s.file);
    if (auto written = fs::write_file(dir + "/" + file, value); !written) {
      return std::move(written).error().with_subject("cgroup " + s.file);
    }
  }
  return notes;
}

Result<std::vector<pid_t>> procs_union(const std::vector<std::string>& dirs) {
  std::vector<pid_t> all;
  for (const auto& dir : dirs) {
    STACK_ASSIGN_OR_RETURN(auto pids, fs::read_procs(dir));
    all.insert(all.end(), pids.begin(), pids.end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

Result<std::size_t> signal_all(const std::vector<std::string>& dirs, int signal, bool repeat) {
  std::set<pid_t> signalled;
  auto deadline = std::chrono::steady_clock::now() + kKillTimeout;
  for (;;) {
    STACK_ASSIGN_OR_RETURN(auto pids, procs_union(dirs));
    if (pids.empty()) return signalled.size();
    // A process that exits between the listing and kill() is ESRCH: that is the goal, not an error.
    for (pid_t pid : pids) {
      if (::kill(pid, signal) == 0) signalled.insert(pid);
    }
    if (!repeat) return signalled.size();
    if (std::chrono::steady_clock::now() > deadline) {
      return util::fail(Errc::timeout, std::to_string(pids.size()) + " processes still present after " +
                                           std::to_string(kKillTimeout.count()) + " ms of SIGKILL");
    }
    std::this_thread::sleep_for(kPoll);
  }
}

Result<void> wait_empty(const std::vector<std::string>& dirs) {
  auto deadline = std::chrono::steady_clock::now() + kKillTimeout;
  for (;;) {
    STACK_ASSIGN_OR_RETURN(auto pids, procs_union(dirs));
    if (pids.empty()) return util::ok();
    if (std::chrono::steady_clock::now() > deadline) {
      return util::fail(Errc::timeout, std::to_string(pids.size()) + " processes still present after " +
                                           std::to_string(kKillTimeout.count()) + " ms");
    }
    std::this_thread::sleep_for(kPoll);
  }
}

namespace {

// rmdir of a leaf whose last process has just exited can see EBUSY for a moment while the kernel
// finishes taking the css offline; retry briefly before reporting it.
Result<bool> remove_leaf(const std::string& path) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (;;) {
    auto r = fs::remove_dir(path);
    if (r || r.error().sys_errno() != EBUSY || std::chrono::steady_clock::now() > deadline) return r;
    std::this_thread::sleep_for(kPoll);
  }
}

}  // namespace

Result<bool> remove_tree(const std::vector<std::string>& roots, const std::string& rel) {
  bool existed = false;
  for (const auto& root : roots) {
    STACK_ASSIGN_OR_RETURN(bool removed, remove_leaf(root + "/" + rel));
    existed = existed || removed;
  }
  // Parents, innermost first, never the top component.
  for (auto slash = rel.rfind('/'); slash != std::string::npos && rel.find('/') < slash;
       slash = rel.rfind('/', slash - 1)) {
    std::string parent = rel.substr(0, slash);
    for (const auto& root : roots) {
      auto r = fs::remove_dir(root + "/" + parent);
      int err = r ? 0 : r.error().sys_errno();
      if (!r && err != EBUSY && err != ENOTEMPTY) return std::move(r).error();
    }
  }
  return existed;
}

}  // namespace stack::runtime::cgroup::detail
