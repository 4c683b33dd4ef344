#include "build/scratch_dir.hpp"

#include <sys/mount.h>
#include <unistd.h>

#include "image/fs.hpp"
#include "runtime/cgroup/factory.hpp"
#include "runtime/sys/mount.hpp"
#include "util/dir.hpp"

namespace stack::build {

namespace {

constexpr const char* kLockSuffix = ".lock";

std::string builds_dir(const std::string& root) { return root + "/builds"; }

// Everything under one scratch directory, the lock file last.
void remove_scratch(const std::string& dir, const std::string& name) {
  if (auto cgroup = runtime::cgroup::open_cgroup("stack/_build/build-" + name)) (void)(*cgroup)->destroy();
  (void)runtime::sys::umount(dir + "/secrets", MNT_DETACH);  // EINVAL when it is not mounted
  (void)util::remove_tree(dir);
}

}  // namespace

util::Result<ScratchDir> ScratchDir::make(const std::string& root) {
  std::string parent = builds_dir(root);
  STACK_TRY(image::make_dirs(parent, 0700));
  std::string name = image::random_suffix().substr(0, 12);
  std::string path = parent + "/" + name;
  STACK_ASSIGN_OR_RETURN(util::FileLock lock, util::FileLock::acquire(path + kLockSuffix));
  STACK_TRY(image::make_dirs(path, 0700));
  return ScratchDir(std::move(path), std::move(name), std::move(lock));
}

ScratchDir::~ScratchDir() {
  if (path_.empty()) return;
  remove_scratch(path_, name_);
  lock_.unlink();
}

void remove_stale_scratch(const std::string& root) {
  std::string parent = builds_dir(root);
  auto names = util::list_dir(parent);
  if (!names) return;
  for (const std::string& entry : *names) {
    bool is_lock = entry.ends_with(kLockSuffix);
    std::string name = is_lock ? entry.substr(0, entry.size() - std::string_view(kLockSuffix).size()) : entry;
    if (is_lock && image::path_exists(parent + "/" + name)) continue;  // seen with its directory
    auto lock = util::FileLock::try_acquire(parent + "/" + name + kLockSuffix);
    if (!lock || !*lock) continue;  // a build that is running, or a lock that cannot be opened
    if (!is_lock) remove_scratch(parent + "/" + name, name);
    (*lock)->unlink();
  }
}

}  // namespace stack::build
