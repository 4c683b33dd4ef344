// cgroup v1 (legacy and hybrid hosts): the cgroup is one directory per controller hierarchy, e.g.
// /sys/fs/cgroup/memory/stack/demo/web and /sys/fs/cgroup/pids/stack/demo/web.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "runtime/cgroup/manager.hpp"

namespace stack::runtime::cgroup {

class V1Manager final : public Manager {
 public:
  // controllers: controller name -> mount point, as Hierarchy::controllers. The cgroup joins the
  // ones it limits or reads (memory, cpu, cpuacct, cpuset, pids, blkio) that are mounted.
  V1Manager(std::string relative_path, const std::map<std::string, std::string>& controllers);

  util::Result<Applied> create(const Limits& limits) override;
  util::Result<void> add_process(pid_t pid) override;
  std::vector<util::UniqueFd> self_join_files() const override;
  util::Result<std::vector<pid_t>> pids() const override;
  util::Result<Stats> stats() const override;
  util::Result<bool> oom_killed() const override;
  util::Result<std::size_t> kill_all(int signal) override;
  util::Result<bool> destroy() override;
  const std::string& path() const override { return rel_; }
  Version version() const override { return Version::v1; }

  // The cgroup's directory in the hierarchy of controller, "" if that controller is not mounted.
  std::string dir_of(const std::string& controller) const;

 private:
  // Distinct mount points of the joined controllers (cpu and cpuacct may share one).
  std::vector<std::string> roots() const;
  // Distinct directories of this cgroup, one per hierarchy.
  std::vector<std::string> dirs() const;
  util::Result<void> init_cpuset() const;
  util::Result<std::vector<std::string>> apply(const Limits& limits) const;
  util::Error error(util::Error e) const;

  std::string rel_;
  std::map<std::string, std::string> controllers_;  // joined controller -> mount point
};

}  // namespace stack::runtime::cgroup
