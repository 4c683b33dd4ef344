// The container part of the state root, built in one place (Mesos' paths.hpp): every file the
// runtime and the shim read or write is named here, so that a layout change is one edit.
//
//   <root>/containers/<id>/{config.json,state.json,<id>-json.log[.N],upper,work,rootfs}
//   <root>/run/<id>.sock
#pragma once

#include <string>
#include <string_view>

#include "util/atomic_file.hpp"
#include "util/result.hpp"
#include "util/state_root.hpp"

namespace stack::runtime {

class StatePaths {
 public:
  explicit StatePaths(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  std::string containers_dir() const { return util::StateRoot(root_).containers(); }
  std::string container_dir(std::string_view id) const;
  std::string config_file(std::string_view id) const { return container_dir(id) + "/config.json"; }
  std::string state_file(std::string_view id) const { return container_dir(id) + "/state.json"; }
  std::string log_file(std::string_view id) const;
  // <id>-json.log.<n> for n >= 1; n == 0 is the live file.
  std::string rotated_log_file(std::string_view id, int n) const;
  std::string upper_dir(std::string_view id) const { return container_dir(id) + "/upper"; }
  std::string work_dir(std::string_view id) const { return container_dir(id) + "/work"; }
  std::string rootfs_dir(std::string_view id) const { return container_dir(id) + "/rootfs"; }
  std::string run_dir() const { return util::StateRoot(root_).run(); }
  std::string socket_file(std::string_view id) const;

 private:
  std::string root_;
};

// An id is a path component and part of a socket path: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}.
util::Result<void> check_container_id(std::string_view id);

using util::write_file_atomic;

}  // namespace stack::runtime
