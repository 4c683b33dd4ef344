#include "runtime/cgroup/cgroupfs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

#include "util/dir.hpp"
#include "util/fd.hpp"

namespace stack::runtime::cgroup::fs {

using util::Errc;
using util::Error;
using util::Result;

namespace {

std::string single_quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

}  // namespace

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

Result<std::string> read_file(const std::string& path) {
  // The errors name the file only ("read 'memory.max': ..."): callers add the cgroup.
  std::string what = "read " + single_quoted(base_name(path));
  auto fd = util::UniqueFd::open(path, O_RDONLY);
  if (!fd) return Error::from_errno(what, fd.error().sys_errno());
  auto text = util::read_to_end(fd->get());
  if (!text) return Error::from_errno(what, text.error().sys_errno());
  return text;
}

Result<void> write_file(const std::string& path, std::string_view value) {
  std::string what = "write " + std::string(base_name(path));
  auto fd = util::UniqueFd::open(path, O_WRONLY | O_TRUNC);
  if (!fd) return Error::from_errno(what, fd.error().sys_errno());
  // cgroup files take one value per write(2); a short write would split it, so it is an error.
  for (;;) {
    ssize_t n = ::write(fd->get(), value.data(), value.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(what);
    if (static_cast<std::size_t>(n) != value.size()) {
      return util::fail(Errc::io, what + ": short write of " + single_quoted(value));
    }
    return util::ok();
  }
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::optional<uint64_t> parse_u64(std::string_view text) {
  text = trim(text);
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::optional<uint64_t> parse_keyed(std::string_view text, std::string_view key) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ' ') {
      return parse_u64(line.substr(key.size() + 1));
    }
  }
  return std::nullopt;
}

Result<uint64_t> read_u64(const std::string& path) {
  STACK_ASSIGN_OR_RETURN(std::string text, read_file(path));
  auto v = parse_u64(text);
  if (!v) {
    return util::fail(Errc::parse, "read " + single_quoted(base_name(path)) + ": not a number: " +
                                       single_quoted(trim(text)));
  }
  return *v;
}

Result<std::vector<pid_t>> read_procs(const std::string& dir) {
  auto text = read_file(dir + "/cgroup.procs");
  // ENODEV: the cgroup was removed between finding and reading it (its last process exited and
  // the shim reaped it): as empty as one that is not there.
  if (!text && (text.error().code() == Errc::not_found || text.error().sys_errno() == ENODEV)) {
    return std::vector<pid_t>{};
  }
  if (!text) return std::move(text).error();
  std::vector<pid_t> pids;
  std::string_view rest = *text;
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    auto v = parse_u64(rest.substr(0, nl));
    if (v) pids.push_back(static_cast<pid_t>(*v));
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  }
  return pids;
}

Result<std::vector<std::string>> mkdir_p(const std::string& root, std::string_view rel) {
  // Bounded retries: a concurrent destroy may remove an empty parent between two mkdir calls.
  for (int attempt = 0;; ++attempt) {
    std::vector<std::string> made;
    std::string path = root;
    std::string_view rest = rel;
    bool vanished = false;
    while (!rest.empty()) {
      auto slash = rest.find('/');
      path += "/";
      path += rest.substr(0, slash);
      rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
      if (::mkdir(path.c_str(), 0755) == 0) {
        made.push_back(path);
      } else if (errno == ENOENT && attempt < 3) {
        vanished = true;
        break;
      } else if (errno != EEXIST) {
        int err = errno;
        remove_dirs(made);
        return Error::from_errno("mkdir " + single_quoted(path), err);
      }
    }
    if (!vanished) return made;
    remove_dirs(made);
  }
}

Result<bool> remove_dir(const std::string& path) {
  if (::rmdir(path.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  return Error::from_errno("rmdir " + single_quoted(path));
}

void remove_dirs(const std::vector<std::string>& dirs) {
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) (void)::rmdir(it->c_str());
}

Result<std::vector<std::string>> list_subdirs(const std::string& path) {
  auto all = util::list_dir(path);
  if (!all && all.error().code() == Errc::not_found) return std::vector<std::string>{};
  if (!all) return std::move(all).error();
  std::vector<std::string> names;
  for (std::string& name : *all) {
    struct stat st {};
    if (::stat((path + "/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) names.push_back(std::move(name));
  }
  return names;
}

}  // namespace stack::runtime::cgroup::fs
