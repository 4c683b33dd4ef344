// What the bind and secret mounts of a RUN step show, made on the host before the step runs.
//
// A bind mount's files are a copy of its selection (the context after .dockerignore, or a stage's
// or image's file system), so that ignored files stay out, `rw` writes are thrown away with the
// copy, and nothing the step does reaches the context. Secrets are written to a tmpfs, never to
// disk, which is unmounted when the step is done.
#pragma once

#include <map>
#include <string>

#include "build/copy_sources.hpp"
#include "build/run_mount.hpp"

namespace stack::build {

// Writes the selection's files, directories and symlinks under dir (made if missing), with their
// modes; owners are the source's, or root's with owned_by_root (files from the build context).
Result<void> write_selection(const CopySelection& selection, const std::string& dir, bool owned_by_root);

// A tmpfs on the host holding the step's secret files; unmounted and removed when destroyed.
class SecretFiles {
 public:
  static Result<SecretFiles> mount(std::string dir);
  SecretFiles(SecretFiles&& other) noexcept : dir_(std::move(other.dir_)), count_(other.count_) { other.dir_.clear(); }
  SecretFiles& operator=(SecretFiles&&) = delete;
  ~SecretFiles();

  // The host path of a new file with the secret's content, mode and owner.
  Result<std::string> add(const RunMount& mount, const std::string& content);

 private:
  explicit SecretFiles(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;  // "" when moved from
  int count_ = 0;
};

}  // namespace stack::build
