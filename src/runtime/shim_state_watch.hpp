// The StateWatch of ShimRuntime: inotify on each watched container's directory (state.json is
// renamed into place; the log is appended to) and a pidfd of each live shim, polled together.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "runtime/state_paths.hpp"
#include "runtime/state_watch.hpp"
#include "util/fd.hpp"

namespace stack::runtime {

class ShimStateWatch final : public StateWatch {
 public:
  static util::Result<std::unique_ptr<StateWatch>> open(const StatePaths& paths, WatchOptions options);

  util::Result<void> add(const std::string& id, const shim::ContainerState& seen) override;
  util::Result<bool> wait(std::chrono::milliseconds timeout) override;
  void stop() override;

 private:
  ShimStateWatch(StatePaths paths, WatchOptions options, util::UniqueFd inotify)
      : paths_(std::move(paths)), options_(options), inotify_(std::move(inotify)) {}
  // Reads the waiting inotify events; true if one of them is a change.
  bool read_events();

  struct Watched {
    int wd = -1;
    pid_t shim_pid = 0;
    util::UniqueFd pidfd;  // invalid once the shim is gone (or was never alive)
  };
  StatePaths paths_;
  WatchOptions options_;
  util::UniqueFd inotify_;
  int containers_wd_ = -1;                  // <root>/containers, with options_.new_containers
  std::map<std::string, Watched> watched_;  // by container id
  std::map<int, std::string> ids_;          // watch descriptor -> container id
  bool changed_ = false;
};

}  // namespace stack::runtime
