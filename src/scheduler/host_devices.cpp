#include "scheduler/host_devices.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <filesystem>
#include <set>
#include <string>

namespace stack::scheduler {

using util::Errc;
using util::Error;
using util::Result;

namespace {

bool is_device(const struct stat& st) { return S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode); }

runtime::DeviceNode node_of(const struct stat& st, std::string target, const std::string& access) {
  runtime::DeviceNode n;
  n.path = std::move(target);
  n.type = S_ISBLK(st.st_mode) ? "b" : "c";
  n.major = major(st.st_rdev);
  n.minor = minor(st.st_rdev);
  n.file_mode = st.st_mode & 07777;
  n.uid = st.st_uid;
  n.gid = st.st_gid;
  n.access = access;
  return n;
}

}  // namespace

Result<std::vector<runtime::DeviceNode>> host_device_nodes(const spec::DeviceMapping& m) {
  struct stat st {};
  // stat, not lstat: /dev/disk/by-id/... and /dev/serial/... are symlinks to the node.
  if (::stat(m.source.c_str(), &st) != 0) return Error::from_errno("devices: '" + m.source + "'");
  if (is_device(st)) return std::vector<runtime::DeviceNode>{node_of(st, m.target, m.permissions)};
  if (!S_ISDIR(st.st_mode)) {
    return Error(Errc::invalid_argument, "devices: '" + m.source + "' is not a device node or a directory of them");
  }
  std::vector<runtime::DeviceNode> out;
  std::error_code ec;
  namespace fs = std::filesystem;
  for (fs::recursive_directory_iterator it(m.source, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat entry {};
    if (::stat(it->path().c_str(), &entry) != 0 || !is_device(entry)) continue;
    std::string relative = it->path().lexically_relative(m.source).string();
    out.push_back(node_of(entry, m.target + "/" + relative, m.permissions));
  }
  if (ec) return Error(Errc::io, "devices: '" + m.source + "': " + ec.message());
  if (out.empty()) return Error(Errc::invalid_argument, "devices: '" + m.source + "' holds no device node");
  return out;
}

std::vector<runtime::DeviceNode> all_host_device_nodes(const std::string& dev) {
  static const std::set<std::string> kSkippedDirs = {"pts", "shm", "mqueue", "fd", ".lxc", ".lxd-mounts", ".udev"};
  std::vector<runtime::DeviceNode> out;
  std::error_code ec;
  namespace fs = std::filesystem;
  for (fs::recursive_directory_iterator it(dev, ec), end; !ec && it != end; it.increment(ec)) {
    std::string relative = it->path().lexically_relative(dev).string();
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (kSkippedDirs.count(it->path().filename().string())) it.disable_recursion_pending();
      continue;
    }
    // The container has its own console and its own devpts, whose ptmx /dev/ptmx links to.
    if (!is_device(st) || relative == "console" || relative == "ptmx") continue;
    out.push_back(node_of(st, "/dev/" + relative, "rwm"));
  }
  return out;  // a /dev that cannot be read gives what was read: the privileged container still starts
}

}  // namespace stack::scheduler
