#include "daemon/dir_watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "daemon/stacks_dir.hpp"

namespace stack::daemon {

namespace fs = std::filesystem;
using util::Errc;
using util::Error;
using util::Result;

namespace {

constexpr std::uint32_t kFileEvents = IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;

}  // namespace

Result<DirWatch> DirWatch::open(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error(Errc::io, "create stacks directory '" + dir + "': " + ec.message());
  util::UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!fd) return Error::from_errno("inotify_init1");
  DirWatch watch(std::move(fd), dir);
  watch.dir_wd_ = ::inotify_add_watch(watch.fd_.get(), dir.c_str(), kFileEvents | IN_ONLYDIR);
  if (watch.dir_wd_ < 0) return Error::from_errno("watching stacks directory '" + dir + "'");
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec) && !ignored(it->path().filename().string())) {
      watch.watch_subdir(it->path().filename().string());
    }
  }
  return watch;
}

void DirWatch::watch_subdir(const std::string& name) {
  const std::string path = dir_ + "/" + name;
  int wd = ::inotify_add_watch(fd_.get(), path.c_str(), kFileEvents | IN_ONLYDIR);
  if (wd >= 0) subdirs_[wd] = name;  // gone again already: its removal event follows
}

DirWatch::Changes DirWatch::read() {
  Changes changes;
  alignas(inotify_event) char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n <= 0) break;  // EAGAIN: drained
    for (char* p = buf; p < buf + n;) {
      auto* e = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + e->len;
      if (e->mask & IN_Q_OVERFLOW) {
        changes.overflow = true;
        continue;
      }
      const std::string name = e->len > 0 ? std::string(e->name) : std::string();
      if (e->wd == dir_wd_) {
        if (e->mask & IN_ISDIR) {
          if (ignored(name)) continue;
          if (e->mask & (IN_CREATE | IN_MOVED_TO)) watch_subdir(name);
          changes.keys.insert(name);
        } else if (std::string key = key_of_file(name); !key.empty()) {
          changes.keys.insert(key);
        }
        continue;
      }
      auto sub = subdirs_.find(e->wd);
      if (sub == subdirs_.end()) continue;
      if (e->mask & IN_IGNORED) {
        subdirs_.erase(sub);  // the directory went away
        continue;
      }
      if (!ignored(name)) changes.keys.insert(sub->second);
    }
  }
  return changes;
}

}  // namespace stack::daemon
