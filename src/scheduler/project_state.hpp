// What a project made on the host, kept under <root>/projects/<project>/: project.json (written
// atomically) and the lock file beside it. Every resource is recorded *before* it is made, so
// that `down` after a crash (kill -9 of the CLI at any point) finds and removes it: a container
// name is listed before its netns, veths and addresses exist, a network before its bridge.
#pragma once

#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "util/fd.hpp"
#include "util/result.hpp"

namespace stack::scheduler {

struct ProjectRecord {
  std::string name;
  std::string working_dir;
  std::vector<std::string> config_files;  // the stack files of the last up, for `stack ls`
  std::set<std::string> networks;    // networks this project made (never external ones)
  std::set<std::string> volumes;     // volumes this project made
  std::set<std::string> containers;  // containers that may have host resources
  bool operator==(const ProjectRecord&) const = default;
};

std::string encode_project(const ProjectRecord& record);
util::Result<ProjectRecord> decode_project(const std::string& text);

// An exclusive flock on <root>/projects/<project>/lock for the life of the object: two `stack`
// commands on one project queue (the second says it waits), never interleave.
class ProjectLock {
 public:
  // Blocks until the lock is free; `waiting` is called once if it is not free at first.
  static util::Result<ProjectLock> acquire(const std::string& root, const std::string& project,
                                           const std::function<void()>& waiting = {});

 private:
  explicit ProjectLock(util::UniqueFd fd) : fd_(std::move(fd)) {}
  util::UniqueFd fd_;
};

// The record of one project, shared by the executor's threads; every change is saved at once.
class ProjectState {
 public:
  ProjectState(std::string root, std::string project);

  // Reads project.json; a missing file is an empty record.
  util::Result<void> load();
  ProjectRecord snapshot() const;
  bool exists() const;  // project.json is on disk

  util::Result<void> add_network(const std::string& name);
  util::Result<void> remove_network(const std::string& name);
  util::Result<void> add_volume(const std::string& name);
  util::Result<void> remove_volume(const std::string& name);
  util::Result<void> add_container(const std::string& name);
  util::Result<void> add_containers(const std::vector<std::string>& names);  // one write
  util::Result<void> remove_container(const std::string& name);
  util::Result<void> set_source(const std::string& dir, const std::vector<std::string>& files);
  // Deletes project.json when nothing is left in it (the lock file stays: it may be held).
  util::Result<void> remove_if_empty();

  std::string directory() const;

 private:
  util::Result<void> save_locked();
  template <class F>
  util::Result<void> change(F&& f);

  std::string root_;
  mutable std::mutex mu_;
  ProjectRecord record_;
};

// <root>/projects/<project>.
std::string project_dir(const std::string& root, const std::string& project);
// The projects that have a record under <root>/projects.
util::Result<std::vector<std::string>> list_projects(const std::string& root);

}  // namespace stack::scheduler
