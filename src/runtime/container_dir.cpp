#include "runtime/container_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>

#include "util/dir.hpp"

namespace stack::runtime {

using util::Errc;
using util::Error;

namespace {

constexpr const char* kStagedPrefix = ".new-";
constexpr const char* kRetiredPrefix = ".old-";

std::string hidden_dir(const StatePaths& paths, const char* prefix, const std::string& id) {
  return paths.containers_dir() + "/" + prefix + std::to_string(::getpid()) + "-" + id;
}

// The pid in ".new-<pid>-<id>" or ".old-<pid>-<id>"; 0 for any other name.
pid_t maker_of(const std::string& name) {
  for (const char* prefix : {kStagedPrefix, kRetiredPrefix}) {
    const std::string p = prefix;
    if (name.compare(0, p.size(), p) != 0) continue;
    char* end = nullptr;
    long pid = std::strtol(name.c_str() + p.size(), &end, 10);
    if (pid > 0 && end != nullptr && *end == '-') return static_cast<pid_t>(pid);
  }
  return 0;
}

}  // namespace

util::Result<StagedContainerDir> StagedContainerDir::make(const StatePaths& paths, const std::string& id) {
  std::string path = hidden_dir(paths, kStagedPrefix, id);
  (void)util::remove_tree(path);  // this process's own earlier attempt, if it failed half-way
  if (::mkdir(path.c_str(), 0700) != 0) return Error::from_errno("mkdir '" + path + "'", errno);
  return StagedContainerDir(std::move(path), paths.container_dir(id));
}

StagedContainerDir::StagedContainerDir(StagedContainerDir&& other) noexcept
    : path_(std::move(other.path_)), target_(std::move(other.target_)) {
  other.path_.clear();
}

StagedContainerDir::~StagedContainerDir() {
  if (!path_.empty()) (void)util::remove_tree(path_);
}

util::Result<void> StagedContainerDir::publish() {
  // rename(2) replaces an empty directory but never a full one: a container's directory is never
  // empty, so a taken name is refused.
  if (::rename(path_.c_str(), target_.c_str()) != 0) {
    int err = errno;
    if (err == ENOTEMPTY || err == EEXIST) return Error(Errc::already_exists, "'" + target_ + "' already exists");
    return Error::from_errno("rename '" + path_ + "' to '" + target_ + "'", err);
  }
  path_.clear();
  return util::ok();
}

util::Result<bool> retire_container_dir(const StatePaths& paths, const std::string& id) {
  const std::string dir = paths.container_dir(id);
  const std::string retired = hidden_dir(paths, kRetiredPrefix, id);
  (void)util::remove_tree(retired);
  if (::rename(dir.c_str(), retired.c_str()) != 0) {
    if (errno == ENOENT) return false;
    return Error::from_errno("rename '" + dir + "' to '" + retired + "'", errno);
  }
  STACK_TRY(util::remove_tree(retired));
  return true;
}

void sweep_abandoned_container_dirs(const StatePaths& paths) {
  auto dir = util::DirStream::open(paths.containers_dir());
  if (!dir) return;
  std::vector<std::string> abandoned;
  while (const dirent* e = dir->next()) {
    std::string name = e->d_name;
    pid_t maker = maker_of(name);
    // A pid reused since is a directory swept a little later, when that process ends.
    if (maker != 0 && ::kill(maker, 0) != 0 && errno == ESRCH) abandoned.push_back(std::move(name));
  }
  for (const std::string& name : abandoned) (void)util::remove_tree(paths.containers_dir() + "/" + name);
}

}  // namespace stack::runtime
