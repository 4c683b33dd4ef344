#include "runtime/sys/procfs.hpp"

#include <charconv>
#include <sstream>
#include <vector>

#include "util/fd.hpp"

namespace stack::runtime::sys {

using util::Errc;
using util::Error;

namespace {

std::optional<uint64_t> to_u64(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\n') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

Result<std::string> read_proc(pid_t pid, const char* file) {
  auto text = util::read_file("/proc/" + std::to_string(pid) + "/" + file);
  if (!text && text.error().code() == Errc::not_found) {
    return Error(Errc::not_found, "process " + std::to_string(pid) + " is gone");
  }
  return text;
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  std::size_t open = text.find('(');
  std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  ProcStat st;
  std::vector<std::string_view> head = split_spaces(text.substr(0, open));
  auto pid = head.size() == 1 ? to_u64(head[0]) : std::nullopt;
  if (!pid) return std::nullopt;
  st.pid = static_cast<pid_t>(*pid);
  st.comm = std::string(text.substr(open + 1, close - open - 1));
  // After ')': field 3 (state) is rest[0]; field n is rest[n - 3].
  std::vector<std::string_view> rest = split_spaces(text.substr(close + 1));
  if (rest.size() < 22 || rest[0].size() != 1) return std::nullopt;
  st.state = rest[0][0];
  auto ppid = to_u64(rest[1]);
  auto utime = to_u64(rest[11]);
  auto stime = to_u64(rest[12]);
  auto start = to_u64(rest[19]);
  auto rss = to_u64(rest[21]);
  if (!ppid || !utime || !stime || !start || !rss) return std::nullopt;
  st.ppid = static_cast<pid_t>(*ppid);
  st.utime_ticks = *utime;
  st.stime_ticks = *stime;
  st.start_ticks = *start;
  st.rss_pages = *rss;
  return st;
}

std::optional<uid_t> parse_status_uid(std::string_view text) {
  std::size_t at = text.find("\nUid:");
  if (at == std::string_view::npos) {
    if (!text.starts_with("Uid:")) return std::nullopt;
    at = 0;
  } else {
    ++at;
  }
  std::string_view line = text.substr(at + 4);
  line = line.substr(0, line.find('\n'));
  std::vector<std::string_view> ids = split_spaces(line);
  if (ids.empty()) return std::nullopt;
  auto uid = to_u64(ids[0]);
  if (!uid) return std::nullopt;
  return static_cast<uid_t>(*uid);
}

std::string parse_cmdline(std::string_view text) {
  while (!text.empty() && text.back() == '\0') text.remove_suffix(1);
  std::string out(text);
  for (char& c : out) {
    if (c == '\0') c = ' ';
  }
  return out;
}

std::optional<NetCounters> parse_net_dev(std::string_view text) {
  // Two header lines, then "  eth0: rx_bytes rx_packets ... (8 rx fields) tx_bytes ...".
  NetCounters total;
  std::istringstream in{std::string(text)};
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (++n <= 2) continue;
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) return std::nullopt;
    std::vector<std::string_view> name = split_spaces(std::string_view(line).substr(0, colon));
    std::vector<std::string_view> fields = split_spaces(std::string_view(line).substr(colon + 1));
    if (name.size() != 1 || fields.size() < 9) return std::nullopt;
    if (name[0] == "lo") continue;
    auto rx = to_u64(fields[0]);
    auto tx = to_u64(fields[8]);
    if (!rx || !tx) return std::nullopt;
    total.rx_bytes += *rx;
    total.tx_bytes += *tx;
  }
  if (n < 2) return std::nullopt;
  return total;
}

Result<ProcStat> read_proc_stat(pid_t pid) {
  STACK_ASSIGN_OR_RETURN(std::string text, read_proc(pid, "stat"));
  auto st = parse_proc_stat(text);
  if (!st) return Error(Errc::parse, "unexpected /proc/" + std::to_string(pid) + "/stat");
  return *st;
}

Result<uid_t> read_proc_uid(pid_t pid) {
  STACK_ASSIGN_OR_RETURN(std::string text, read_proc(pid, "status"));
  auto uid = parse_status_uid(text);
  if (!uid) return Error(Errc::parse, "no Uid line in /proc/" + std::to_string(pid) + "/status");
  return *uid;
}

Result<std::string> read_proc_cmdline(pid_t pid) {
  STACK_ASSIGN_OR_RETURN(std::string text, read_proc(pid, "cmdline"));
  return parse_cmdline(text);
}

Result<NetCounters> read_net_dev(pid_t pid) {
  STACK_ASSIGN_OR_RETURN(std::string text, read_proc(pid, "net/dev"));
  auto counters = parse_net_dev(text);
  if (!counters) return Error(Errc::parse, "unexpected /proc/" + std::to_string(pid) + "/net/dev");
  return *counters;
}

}  // namespace stack::runtime::sys
