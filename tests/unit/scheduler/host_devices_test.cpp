// The host devices a privileged container gets, read from this machine's own /dev: the nodes at
// their paths with their numbers, and none of what docker leaves out (ptys, the console, ptmx,
// /dev/shm and /dev/mqueue, symlinks such as /dev/stdin).
#include "scheduler/host_devices.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace stack::scheduler {
namespace {

TEST(HostDevices, APrivilegedContainerGetsTheHostsNodesButNotItsPtysOrConsole) {
  std::vector<runtime::DeviceNode> nodes = all_host_device_nodes();
  auto find = [&](const std::string& path) {
    return std::find_if(nodes.begin(), nodes.end(), [&](const runtime::DeviceNode& n) { return n.path == path; });
  };
  auto null = find("/dev/null");
  ASSERT_NE(null, nodes.end()) << "every Linux host has /dev/null";
  EXPECT_EQ(null->type, "c");
  EXPECT_EQ(null->major, 1u);
  EXPECT_EQ(null->minor, 3u);
  EXPECT_EQ(null->access, "rwm");
  for (const char* left_out : {"/dev/console", "/dev/ptmx", "/dev/stdin", "/dev/fd"}) {
    EXPECT_EQ(find(left_out), nodes.end()) << left_out;
  }
  for (const runtime::DeviceNode& n : nodes) {
    EXPECT_FALSE(n.path.starts_with("/dev/pts/") || n.path.starts_with("/dev/shm/") || n.path.starts_with("/dev/mqueue/"))
        << n.path;
    EXPECT_TRUE(n.type == "c" || n.type == "b") << n.path;
  }
  EXPECT_TRUE(all_host_device_nodes("/no/such/dev").empty());
}

}  // namespace
}  // namespace stack::scheduler
