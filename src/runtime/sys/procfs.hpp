// Readers of /proc for one process: its stat line, its uid, its command line and its network
// counters. The parsers are pure (a text in, fields out) and unit-tested; the readers only add the
// file read. A process that is gone is Errc::not_found, which callers listing a cgroup skip.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace stack::runtime::sys {

using util::Result;

// The fields of /proc/<pid>/stat that `top` shows. Times are in clock ticks, rss in pages.
struct ProcStat {
  pid_t pid = 0;
  std::string comm;  // without the parentheses; may contain spaces and ')'
  char state = '?';  // R S D Z T t X I
  pid_t ppid = 0;
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint64_t start_ticks = 0;  // since boot
  uint64_t rss_pages = 0;
};

// Parses one stat line; comm is found by the last ')' since it may contain anything.
std::optional<ProcStat> parse_proc_stat(std::string_view text);
// The real uid from a /proc/<pid>/status text ("Uid:\t0\t0\t0\t0").
std::optional<uid_t> parse_status_uid(std::string_view text);
// NUL-separated arguments joined with spaces; empty for kernel threads and zombies.
std::string parse_cmdline(std::string_view text);

struct NetCounters {
  uint64_t rx_bytes = 0;
  uint64_t tx_bytes = 0;
};
// The sum over every interface but lo in a /proc/<pid>/net/dev text.
std::optional<NetCounters> parse_net_dev(std::string_view text);

Result<ProcStat> read_proc_stat(pid_t pid);
Result<uid_t> read_proc_uid(pid_t pid);
Result<std::string> read_proc_cmdline(pid_t pid);
// The counters of the network namespace that pid is in.
Result<NetCounters> read_net_dev(pid_t pid);

}  // namespace stack::runtime::sys
