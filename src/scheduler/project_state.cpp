#include "scheduler/project_state.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "util/atomic_file.hpp"
#include "util/file_lock.hpp"
#include "util/state_root.hpp"

namespace stack::scheduler {

using nlohmann::json;
using util::Errc;
using util::Error;
using util::Result;

namespace fs = std::filesystem;

std::string project_dir(const std::string& root, const std::string& project) {
  return util::StateRoot(root).project(project);
}

std::string encode_project(const ProjectRecord& r) {
  json j = {{"name", r.name},
            {"working_dir", r.working_dir},
            {"config_files", r.config_files},
            {"networks", r.networks},
            {"volumes", r.volumes},
            {"containers", r.containers}};
  return j.dump(2) + "\n";
}

Result<ProjectRecord> decode_project(const std::string& text) {
  try {
    json j = json::parse(text);
    ProjectRecord r;
    r.name = j.at("name").get<std::string>();
    r.working_dir = j.value("working_dir", std::string());
    r.config_files = j.value("config_files", std::vector<std::string>{});
    r.networks = j.value("networks", std::set<std::string>{});
    r.volumes = j.value("volumes", std::set<std::string>{});
    r.containers = j.value("containers", std::set<std::string>{});
    return r;
  } catch (const json::exception& e) {
    return Error(Errc::parse, std::string("project.json: ") + e.what());
  }
}

Result<ProjectLock> ProjectLock::acquire(const std::string& root, const std::string& project,
                                         const std::function<void()>& waiting) {
  std::error_code ec;
  fs::create_directories(project_dir(root, project), ec);
  if (ec) return Error(Errc::io, "create '" + project_dir(root, project) + "': " + ec.message());
  std::string path = util::StateRoot(root).project_lock(project);
  // The message only when the lock is busy: first a try, then the wait.
  STACK_ASSIGN_OR_RETURN(std::optional<util::FileLock> free, util::FileLock::try_acquire(path));
  if (free) return ProjectLock(std::move(*free).release());
  if (waiting) waiting();
  STACK_ASSIGN_OR_RETURN(util::FileLock held, util::FileLock::acquire(path));
  return ProjectLock(std::move(held).release());
}

ProjectState::ProjectState(std::string root, std::string project) : root_(std::move(root)) {
  record_.name = std::move(project);
}

std::string ProjectState::directory() const { return project_dir(root_, record_.name); }

bool ProjectState::exists() const { return ::access(util::StateRoot(root_).project_record(record_.name).c_str(), F_OK) == 0; }

Result<void> ProjectState::load() {
  std::lock_guard lock(mu_);
  auto text = util::read_file(util::StateRoot(root_).project_record(record_.name));
  if (!text) {
    if (text.error().code() == Errc::not_found || text.error().sys_errno() == ENOENT) return util::ok();
    return std::move(text).error();
  }
  STACK_ASSIGN_OR_RETURN(ProjectRecord r, decode_project(*text));
  r.name = record_.name;
  record_ = std::move(r);
  return util::ok();
}

ProjectRecord ProjectState::snapshot() const {
  std::lock_guard lock(mu_);
  return record_;
}

Result<void> ProjectState::save_locked() {
  std::error_code ec;
  fs::create_directories(directory(), ec);
  if (ec) return Error(Errc::io, "create '" + directory() + "': " + ec.message());
  return util::write_file_atomic(util::StateRoot(root_).project_record(record_.name), encode_project(record_), util::Durability::process_crash);
}

template <class F>
Result<void> ProjectState::change(F&& f) {
  std::lock_guard lock(mu_);
  ProjectRecord before = record_;
  f(record_);
  if (record_ == before && exists()) return util::ok();
  return save_locked();
}

Result<void> ProjectState::add_network(const std::string& n) { return change([&](auto& r) { r.networks.insert(n); }); }
Result<void> ProjectState::remove_network(const std::string& n) { return change([&](auto& r) { r.networks.erase(n); }); }
Result<void> ProjectState::add_volume(const std::string& n) { return change([&](auto& r) { r.volumes.insert(n); }); }
Result<void> ProjectState::remove_volume(const std::string& n) { return change([&](auto& r) { r.volumes.erase(n); }); }
Result<void> ProjectState::add_container(const std::string& n) { return change([&](auto& r) { r.containers.insert(n); }); }
Result<void> ProjectState::add_containers(const std::vector<std::string>& names) {
  return change([&](auto& r) { r.containers.insert(names.begin(), names.end()); });
}
Result<void> ProjectState::remove_container(const std::string& n) { return change([&](auto& r) { r.containers.erase(n); }); }
Result<void> ProjectState::set_source(const std::string& d, const std::vector<std::string>& files) {
  return change([&](auto& r) {
    r.working_dir = d;
    r.config_files = files;
  });
}

Result<void> ProjectState::remove_if_empty() {
  std::lock_guard lock(mu_);
  if (!record_.networks.empty() || !record_.volumes.empty() || !record_.containers.empty()) {
    return util::ok();
  }
  if (::unlink(util::StateRoot(root_).project_record(record_.name).c_str()) != 0 && errno != ENOENT) {
    return Error::from_errno("delete project.json of '" + record_.name + "'");
  }
  return util::ok();
}

Result<std::vector<std::string>> list_projects(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(util::StateRoot(root).projects(), ec), end; !ec && it != end; it.increment(ec)) {
    if (fs::exists(it->path() / "project.json")) out.push_back(it->path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace stack::scheduler
