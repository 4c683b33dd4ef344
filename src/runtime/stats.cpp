#include "runtime/stats.hpp"

#include <unistd.h>

#include "runtime/sys/procfs.hpp"

namespace stack::runtime {

using util::Errc;

Result<ContainerStats> collect_stats(const cgroup::Manager& cgroup, std::optional<pid_t> net_pid) {
  STACK_ASSIGN_OR_RETURN(cgroup::Stats cg, cgroup.stats());
  ContainerStats st;
  st.cpu_usage_ns = cg.cpu_usage_ns;
  st.memory_usage = cg.memory_usage;
  st.memory_limit = cg.memory_limit;
  st.pids = cg.pids_current;
  st.missing = std::move(cg.missing);
  if (net_pid) {
    auto net = sys::read_net_dev(*net_pid);
    // PID 1 may end between the state read and this one: no counters then, not an error.
    if (!net && net.error().code() != Errc::not_found) return std::move(net).error();
    if (net) {
      st.net_rx_bytes = net->rx_bytes;
      st.net_tx_bytes = net->tx_bytes;
    }
  }
  return st;
}

namespace {

// nullopt when the process is gone meanwhile.
Result<std::optional<ProcessInfo>> describe(pid_t pid, long ticks_per_second, long page_size) {
  auto stat = sys::read_proc_stat(pid);
  auto uid = stat ? sys::read_proc_uid(pid) : Result<uid_t>(stat.error());
  auto cmdline = uid ? sys::read_proc_cmdline(pid) : Result<std::string>(uid.error());
  if (!cmdline) {
    if (cmdline.error().code() == Errc::not_found) return std::optional<ProcessInfo>();
    return std::move(cmdline).error();
  }
  ProcessInfo p;
  p.pid = pid;
  p.ppid = stat->ppid;
  p.uid = *uid;
  p.state = stat->state;
  uint64_t ticks = stat->utime_ticks + stat->stime_ticks;
  p.cpu_time = std::chrono::nanoseconds(ticks * (1'000'000'000 / static_cast<uint64_t>(ticks_per_second)));
  p.rss_bytes = stat->rss_pages * static_cast<uint64_t>(page_size);
  p.cmdline = cmdline->empty() ? "[" + stat->comm + "]" : std::move(*cmdline);
  return std::optional<ProcessInfo>(std::move(p));
}

}  // namespace

Result<std::vector<ProcessInfo>> list_processes(const cgroup::Manager& cgroup) {
  STACK_ASSIGN_OR_RETURN(std::vector<pid_t> pids, cgroup.pids());
  long ticks = ::sysconf(_SC_CLK_TCK);
  long page = ::sysconf(_SC_PAGESIZE);
  std::vector<ProcessInfo> out;
  for (pid_t pid : pids) {
    STACK_ASSIGN_OR_RETURN(std::optional<ProcessInfo> p, describe(pid, ticks, page));
    if (p) out.push_back(std::move(*p));
  }
  return out;
}

}  // namespace stack::runtime
