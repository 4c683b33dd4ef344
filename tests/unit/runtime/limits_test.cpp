// Rlimit names and sysctl namespacing: pure tables.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>

#include "runtime/container/rlimits.hpp"
#include "runtime/container/sysctl.hpp"

namespace stack::runtime {
namespace {

using ::testing::HasSubstr;

TEST(Rlimits, NamesInEverySpelling) {
  EXPECT_EQ(rlimit_from_name("nofile"), RLIMIT_NOFILE);
  EXPECT_EQ(rlimit_from_name("NOFILE"), RLIMIT_NOFILE);
  EXPECT_EQ(rlimit_from_name("RLIMIT_NOFILE"), RLIMIT_NOFILE);
  EXPECT_EQ(rlimit_from_name("nproc"), RLIMIT_NPROC);
  EXPECT_EQ(rlimit_from_name("memlock"), RLIMIT_MEMLOCK);
  EXPECT_EQ(rlimit_from_name("files"), std::nullopt);
}

TEST(Rlimits, TableCoversEveryResourceOnce) {
  std::vector<int> seen;
  for (const auto& n : rlimit_names()) {
    EXPECT_EQ(rlimit_from_name(n.name), n.resource) << n.name;
    seen.push_back(n.resource);
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(RLIMIT_NLIMITS));
}

TEST(Rlimits, CheckRejectsUnknownAndSoftAboveHard) {
  EXPECT_TRUE(check_rlimits({{"nofile", {10, 20}}}));
  auto bad = check_rlimits({{"nofiles", {1, 1}}, {"core", {5, 1}}});
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message(), HasSubstr("rlimit 'nofiles' is unknown"));
  EXPECT_THAT(bad.error().message(), HasSubstr("rlimit 'core': soft limit above hard limit"));
}

TEST(Sysctl, NamespacedOnesAreAllowed) {
  for (const char* name : {"net.ipv4.ip_forward", "net.core.somaxconn", "kernel.shmmax",
                           "kernel.shmall", "kernel.msgmax", "kernel.sem", "fs.mqueue.msg_max"}) {
    EXPECT_EQ(sysctl_refusal(name, NetworkMode::own), "") << name;
  }
}

TEST(Sysctl, HostWideOnesAreRefused) {
  for (const char* name : {"kernel.hostname", "vm.swappiness", "kernel.pid_max", "fs.file-max",
                           "kernel.shm", "kernel.msg"}) {
    EXPECT_NE(sysctl_refusal(name, NetworkMode::own), "") << name;
  }
}

TEST(Sysctl, NetNeedsItsOwnNetworkNamespace) {
  EXPECT_EQ(sysctl_refusal("net.ipv4.ip_forward", NetworkMode::join), "");
  EXPECT_EQ(sysctl_refusal("net.ipv4.ip_forward", NetworkMode::host),
            "is not allowed with the host network namespace");
}

TEST(Sysctl, MalformedNamesAreRefused) {
  for (const char* name : {"", "net..x", ".net", "net/../../x", "net.ipv4.x y"}) {
    EXPECT_EQ(sysctl_refusal(name, NetworkMode::own), "is not a sysctl name") << name;
  }
}

TEST(Sysctl, CheckNamesEveryRefusal) {
  auto r = check_sysctls({{"vm.swappiness", "1"}, {"kernel.hostname", "x"}, {"kernel.sem", "1"}},
                         NetworkMode::own);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "sysctl 'kernel.hostname' is not namespaced (it would change the host); "
            "sysctl 'vm.swappiness' is not namespaced (it would change the host)");
}

TEST(Sysctl, Path) { EXPECT_EQ(sysctl_path("net.ipv4.ip_forward"), "/proc/sys/net/ipv4/ip_forward"); }

}  // namespace
}  // namespace stack::runtime
