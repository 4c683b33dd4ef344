// cgroup v2 (unified): the cgroup is one directory, e.g. /sys/fs/cgroup/stack/demo/web, whose
// controllers are enabled from the root down through each parent's cgroup.subtree_control.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "runtime/cgroup/manager.hpp"

namespace stack::runtime::cgroup {

class V2Manager final : public Manager {
 public:
  // unified_root: the cgroup2 mount point ("/sys/fs/cgroup", or "/sys/fs/cgroup/unified" on hybrid).
  V2Manager(std::string relative_path, std::string unified_root);

  util::Result<Applied> create(const Limits& limits) override;
  util::Result<void> add_process(pid_t pid) override;
  util::UniqueFd clone_target() const override;
  util::Result<std::vector<pid_t>> pids() const override;
  util::Result<Stats> stats() const override;
  util::Result<bool> oom_killed() const override;
  util::Result<std::size_t> kill_all(int signal) override;
  util::Result<bool> destroy() override;
  const std::string& path() const override { return rel_; }
  Version version() const override { return Version::v2; }

  const std::string& dir() const { return dir_; }

 private:
  // Checks that every needed controller is offered at the root, before anything is made.
  util::Result<std::set<std::string>> usable_controllers(const std::set<std::string>& required,
                                                         std::vector<std::string>& notes) const;
  util::Result<void> enable_controllers(const std::set<std::string>& controllers) const;
  util::Error error(util::Error e) const;

  std::string rel_;
  std::string root_;
  std::string dir_;  // root_ + "/" + rel_
};

// The names in a cgroup.controllers or cgroup.subtree_control text ("cpu io memory\n").
std::set<std::string> parse_controller_list(std::string_view text);

}  // namespace stack::runtime::cgroup
