#include "runtime/state_paths.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>

#include "util/fd.hpp"

namespace stack::runtime {

using util::Errc;
using util::Error;

std::string StatePaths::container_dir(std::string_view id) const {
  return containers_dir() + "/" + std::string(id);
}

std::string StatePaths::log_file(std::string_view id) const {
  return container_dir(id) + "/" + std::string(id) + "-json.log";
}

std::string StatePaths::rotated_log_file(std::string_view id, int n) const {
  if (n <= 0) return log_file(id);
  return log_file(id) + "." + std::to_string(n);
}

std::string StatePaths::socket_file(std::string_view id) const {
  return run_dir() + "/" + std::string(id) + ".sock";
}

util::Result<void> check_container_id(std::string_view id) {
  auto bad = [&](const char* why) {
    return Error(Errc::invalid_argument, "container id '" + std::string(id) + "' " + why);
  };
  if (id.empty() || id.size() > 64) return bad("must be 1 to 64 characters long");
  if (!std::isalnum(static_cast<unsigned char>(id.front()))) {
    return bad("must start with a letter or a digit");
  }
  for (char c : id) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    if (!ok) return bad("may hold only letters, digits, '_', '.' and '-'");
  }
  return util::ok();
}

util::Result<void> write_file_atomic(const std::string& path, std::string_view content) {
  std::string tmp = path + ".tmp";
  STACK_ASSIGN_OR_RETURN(util::UniqueFd fd,
                         util::UniqueFd::open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644));
  STACK_TRY(util::write_all(fd.get(), content).context("writing '" + tmp + "'"));
  if (::fsync(fd.get()) != 0) return Error::from_errno("fsync '" + tmp + "'");
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = Error::from_errno("rename '" + tmp + "'");
    ::unlink(tmp.c_str());
    return e;
  }
  std::string dir = path.substr(0, path.rfind('/'));
  if (dir.empty()) dir = "/";
  auto dir_fd = util::UniqueFd::open(dir, O_RDONLY | O_DIRECTORY);
  // The rename is done; a directory that cannot be synced only weakens crash safety.
  if (dir_fd) (void)::fsync(dir_fd->get());
  return util::ok();
}

}  // namespace stack::runtime
