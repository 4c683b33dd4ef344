#include "cli/log_follower.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
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
  for (int n = 9; n >= 1; --n) {
    auto text = util::read_file(paths.rotated_log_file(container, n));
    if (text) for (auto& l : lines_of(*text)) backlog.push_back(std::move(l));
  }
  util::UniqueFd fd(::open(source.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd) {
    struct stat st {};
    ::fstat(fd.get(), &st);
    source.inode = st.st_ino;
    std::string text;
    char buf[65536];
    for (ssize_t n; (n = ::read(fd.get(), buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
    source.offset = static_cast<off_t>(text.size());
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

void LogFollower::read_new(Source& source) {
  util::UniqueFd fd(::open(source.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return;
  if (st.st_ino != source.inode || st.st_size < source.offset) {  // rotated or truncated
    source.inode = st.st_ino;
    source.offset = 0;
    source.partial.clear();
  }
  if (st.st_size == source.offset) return;
  std::string text = source.partial;
  char buf[65536];
  ::lseek(fd.get(), source.offset, SEEK_SET);
  for (ssize_t n; (n = ::read(fd.get(), buf, sizeof buf)) > 0;) {
    text.append(buf, static_cast<size_t>(n));
    source.offset += n;
  }
  size_t cut = text.rfind('\n');
  if (cut == std::string::npos) {
    source.partial = text;
    return;
  }
  source.partial = text.substr(cut + 1);
  for (const auto& l : lines_of(text.substr(0, cut + 1))) emit(source, l);
}

void LogFollower::poll() {
  for (Source& s : sources_) read_new(s);
  out_.flush();
}

}  // namespace stack::cli
