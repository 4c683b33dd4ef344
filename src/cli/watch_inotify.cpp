#include "cli/watch_inotify.hpp"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/dir.hpp"

namespace stack::cli {

using util::Error;
using util::Result;

namespace {

constexpr uint32_t kTreeEvents = IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                 IN_ATTRIB | IN_DELETE_SELF | IN_ONLYDIR;

bool below_or_at(const std::string& base, const std::string& path) {
  return path == base || (path.starts_with(base) && path.size() > base.size() && path[base.size()] == '/');
}

}  // namespace

Result<TreeWatch> TreeWatch::open() {
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return Error::from_errno("inotify_init1");
  return TreeWatch(util::UniqueFd(fd));
}

Result<void> TreeWatch::watch_tree(const std::string& dir) {
  int wd = ::inotify_add_watch(fd_.get(), dir.c_str(), kTreeEvents | IN_DONT_FOLLOW);
  if (wd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return util::ok();  // gone or replaced meanwhile
    return Error::from_errno("inotify_add_watch '" + dir + "'");
  }
  dirs_[wd] = dir;
  auto names = util::list_dir(dir);
  if (!names) return util::ok();  // removed meanwhile: its deletion is reported
  for (const std::string& name : *names) {
    std::string child = dir + "/" + name;
    struct stat st {};
    if (::lstat(child.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) STACK_TRY(watch_tree(child));
  }
  return util::ok();
}

Result<void> TreeWatch::watch_dir(const std::string& dir) {
  int wd = ::inotify_add_watch(fd_.get(), dir.c_str(), kTreeEvents);
  if (wd < 0 && errno != ENOENT && errno != ENOTDIR) return Error::from_errno("inotify_add_watch '" + dir + "'");
  if (wd >= 0) dirs_[wd] = dir;
  return util::ok();
}

Result<void> TreeWatch::add(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) < 0) {
    if (errno != ENOENT) return Error::from_errno("watch '" + path + "'");
    pending_.insert(path);
    std::string ancestor = path;
    do {
      ancestor = ancestor.substr(0, std::max<size_t>(ancestor.find_last_of('/'), 1));
    } while (ancestor != "/" && ::stat(ancestor.c_str(), &st) < 0);
    return watch_dir(ancestor);
  }
  if (S_ISDIR(st.st_mode)) {
    trees_.insert(path);
    return watch_tree(path);
  }
  // A file: its directory, whose events are kept for this one name only.
  std::string parent = path.substr(0, std::max<size_t>(path.find_last_of('/'), 1));
  int wd = ::inotify_add_watch(fd_.get(), parent.c_str(), kTreeEvents & ~IN_ONLYDIR);
  if (wd < 0) return Error::from_errno("inotify_add_watch '" + parent + "'");
  dirs_[wd] = parent;
  files_.insert(path);
  return util::ok();
}

Result<std::optional<std::string>> TreeWatch::arrived(const std::string& path) {
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    std::string pending = *it;
    if (pending == path) {
      pending_.erase(it);
      STACK_TRY(add(pending));
      return std::optional<std::string>(pending);
    }
    if (below_or_at(path, pending)) {
      STACK_TRY(watch_dir(path));  // on the way: the next level is waited for there
      // What was made below it before the watch: the pending path may be there already.
      struct stat st {};
      if (::stat(pending.c_str(), &st) == 0) return arrived(pending);
    }
  }
  return std::optional<std::string>();
}

Result<std::vector<std::string>> TreeWatch::rewatch(const std::string& gone) {
  std::vector<std::string> roots;
  if (trees_.erase(gone) > 0) roots.push_back(gone);
  for (auto it = files_.begin(); it != files_.end();) {
    bool in_gone = it->size() > gone.size() && it->starts_with(gone) && (*it)[gone.size()] == '/' &&
                   it->find('/', gone.size() + 1) == std::string::npos;
    if (in_gone) {
      roots.push_back(*it);
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  std::vector<std::string> back;  // made again before this event was read: changed as a whole
  for (const std::string& root : roots) {
    STACK_TRY(add(root));
    if (pending_.count(root) == 0) back.push_back(root);
  }
  return back;
}

Result<std::vector<std::string>> TreeWatch::read() {
  std::vector<std::string> changed;
  alignas(inotify_event) char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n < 0) return Error::from_errno("read inotify");
    for (char* p = buf; p < buf + n;) {
      auto* e = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + e->len;
      if (e->mask & IN_Q_OVERFLOW) {
        changed.insert(changed.end(), trees_.begin(), trees_.end());
        changed.insert(changed.end(), files_.begin(), files_.end());
        continue;
      }
      auto dir = dirs_.find(e->wd);
      if (dir == dirs_.end()) continue;
      if (e->mask & IN_IGNORED) {  // the directory is gone: a root of ours is waited for again
        std::string gone = dir->second;
        dirs_.erase(dir);
        STACK_ASSIGN_OR_RETURN(std::vector<std::string> back, rewatch(gone));
        changed.insert(changed.end(), back.begin(), back.end());
        continue;
      }
      std::string path = e->len > 0 ? dir->second + "/" + e->name : dir->second;
      if (!pending_.empty() && (e->mask & (IN_CREATE | IN_MOVED_TO))) {
        STACK_ASSIGN_OR_RETURN(std::optional<std::string> waited, arrived(path));
        if (waited) changed.push_back(*waited);
      }
      bool in_tree = false;
      for (const std::string& t : trees_) in_tree = in_tree || below_or_at(t, path);
      if (!in_tree && files_.count(path) == 0) continue;
      changed.push_back(path);
      if (in_tree && (e->mask & (IN_CREATE | IN_MOVED_TO)) && (e->mask & IN_ISDIR)) STACK_TRY(watch_tree(path));
    }
  }
  return changed;
}

}  // namespace stack::cli
