// Host files copied into a running container, and container paths removed, for `stack watch`'s
// sync actions (compose copies with a tar through the engine). Every container path resolves
// inside the container's own root (/proc/PID/root, the view of its mount namespace, volumes
// included) with openat2(RESOLVE_IN_ROOT): a symlink in the container, absolute or with "..",
// stays inside it and can never lead a write out to the host. Files are written beside their
// final name and renamed over it, so that the application never reads half a file, and a symlink
// at the final name is replaced, never followed.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "util/fd.hpp"
#include "util/result.hpp"

namespace stack::runtime {

class ContainerFiles {
 public:
  // The root of the container whose PID 1 is pid (in the host's PID namespace).
  static util::Result<ContainerFiles> open(pid_t pid);
  // A directory taken as the root, as the container's is (the unit tests' way in).
  static util::Result<ContainerFiles> open_root(const std::string& dir);

  // Copies a host file, symlink or directory (recursively; skip(host path) leaves an entry and
  // what is below it out) to container_path, making missing parents. Owner and mode are the host
  // file's, as compose's copy keeps them. Other kinds (sockets, devices) are skipped.
  util::Result<void> copy(const std::string& host_path, const std::string& container_path,
                          const std::function<bool(const std::string&)>& skip = {}) const;
  // rm -rf container_path; false when it was absent.
  util::Result<bool> remove(const std::string& container_path) const;

 private:
  explicit ContainerFiles(util::UniqueFd root) : root_(std::move(root)) {}
  util::Result<void> copy_entry(const std::string& host, const std::string& target,
                                const std::function<bool(const std::string&)>& skip) const;
  std::string root_path() const;
  util::UniqueFd root_;  // O_PATH: pins the container's root even if its PID is reused
};

}  // namespace stack::runtime
