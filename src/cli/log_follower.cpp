#include "cli/log_follower.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "runtime/state_paths.hpp"
#include "util/fd.hpp"

namespace stack::cli {

namespace {

const char* kColors[] = {"\033[36m", "\033[33m", "\033[32m", "\033[35m", "\033[34m", "\033[96m", "\033[93m", "\033[92m"};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    out.push_back(text.substr(start, nl - start));
  }
  return out;
}

}  // namespace

LogFollower::LogFollower(std::string root, LogOptions options, std::ostream& out)
    : root_(std::move(root)), options_(options), out_(out) {}

bool LogFollower::has(const std::string& container) const {
  return std::any_of(sources_.begin(), sources_.end(), [&](const Source& s) { return s.container == container; });
}

void LogFollower::emit(Source& source, const std::string& line) {
  std::string text, time;
  try {
    auto j = nlohmann::json::parse(line);
    text = j.value("log", std::string());
    time = j.value("time", std::string());
  } catch (const nlohmann::json::exception&) {
    return;  // a torn line at a crash: skip it rather than print garbage
  }
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (options_.prefix) out_ << source.prefix;
  if (options_.timestamps) out_ << time << " ";
  out_ << text << "\n";
}

void LogFollower::add(const std::string& container) {
  runtime::StatePaths paths(root_);
  Source source;
  source.container = container;
  source.path = paths.log_file(container);
  width_ = std::max(width_, container.size());
  // The backlog: rotated files (highest number is oldest), then the live one.
  std::vector<std::string> backlog;
  int oldest = 0;
  for (struct stat st {}; ::stat(paths.rotated_log_file(container, oldest + 1).c_str(), &st) == 0;) ++oldest;
  for (int n = oldest; n >= 1; --n) {
    auto text = util::read_file(paths.rotated_log_file(container, n));
    if (text) for (auto& l : lines_of(*text)) backlog.push_back(std::move(l));
  }
  source.file = util::UniqueFd(::open(source.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (source.file) {
    struct stat st {};
    ::fstat(source.file.get(), &st);
    source.inode = st.st_ino;
    std::string text;
    char buf[65536];
    for (ssize_t n; (n = ::read(source.file.get(), buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
    size_t cut = text.rfind('\n');
    if (cut != std::string::npos) {
      source.partial = text.substr(cut + 1);
      for (auto& l : lines_of(text.substr(0, cut + 1))) backlog.push_back(std::move(l));
    } else {
      source.partial = text;
    }
  }
  sources_.push_back(std::move(source));
  // Prefixes are padded to the longest name seen so far.
  for (size_t i = 0; i < sources_.size(); ++i) {
    std::string name = sources_[i].container;
    name.resize(width_, ' ');
    sources_[i].prefix = options_.color ? std::string(kColors[i % 8]) + name + "  |\033[0m " : name + "  | ";
  }
  size_t skip = options_.tail && backlog.size() > *options_.tail ? backlog.size() - *options_.tail : 0;
  for (size_t i = skip; i < backlog.size(); ++i) emit(sources_.back(), backlog[i]);
  out_.flush();
}

void LogFollower::drain(Source& source, int fd) {
  std::string text = std::move(source.partial);
  source.partial.clear();
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
    text.append(buf, static_cast<size_t>(n));
    // Print as it comes: a file rotated many times over may hold megabytes.
    size_t cut = text.rfind('\n');
    if (cut == std::string::npos) continue;
    for (const auto& l : lines_of(text.substr(0, cut + 1))) emit(source, l);
    text.erase(0, cut + 1);
  }
  source.partial = std::move(text);
}

void LogFollower::follow_rotation(Source& source) {
  // Every write to the held file came before the rename that rotated it: its end is final now.
  drain(source, source.file.get());
  source.partial.clear();  // entries are written whole; a torn one is a crash's
  runtime::StatePaths paths(root_);
  // Where the held file went: .k, and .k-1 ... .1 are newer. Gone (dropped as the oldest):
  // every rotated file that is left is newer.
  std::vector<std::string> newer;
  for (int n = 1;; ++n) {
    std::string name = paths.rotated_log_file(source.container, n);
    struct stat st {};
    if (::stat(name.c_str(), &st) != 0 || st.st_ino == source.inode) break;
    newer.push_back(std::move(name));
  }
  // Open them all before reading any, so that one more rotation meanwhile moves no file under us.
  std::vector<util::UniqueFd> files;
  for (auto it = newer.rbegin(); it != newer.rend(); ++it) {
    util::UniqueFd fd(::open(it->c_str(), O_RDONLY | O_CLOEXEC));
    if (fd) files.push_back(std::move(fd));
  }
  source.file = util::UniqueFd(::open(source.path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  source.inode = source.file && ::fstat(source.file.get(), &st) == 0 ? st.st_ino : 0;
  for (util::UniqueFd& fd : files) {
    drain(source, fd.get());
    source.partial.clear();
  }
  if (source.file) drain(source, source.file.get());
}

void LogFollower::read_new(Source& source) {
  if (!source.file) {
    source.file = util::UniqueFd(::open(source.path.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (!source.file || ::fstat(source.file.get(), &st) != 0) return;
    source.inode = st.st_ino;
  }
  drain(source, source.file.get());
  struct stat live {};
  if (::stat(source.path.c_str(), &live) != 0) return;
  if (live.st_ino != source.inode) return follow_rotation(source);
  // With max-file 1 the shim truncates the file in place: read it again from its start.
  if (live.st_size < ::lseek(source.file.get(), 0, SEEK_CUR)) {
    ::lseek(source.file.get(), 0, SEEK_SET);
    source.partial.clear();
    drain(source, source.file.get());
  }
}

void LogFollower::poll() {
  for (Source& s : sources_) read_new(s);
  out_.flush();
}

}  // namespace stack::cli
