// Capability arithmetic and the seccomp list: pure, no filter is loaded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <seccomp.h>

#include <set>

#include "runtime/security/capabilities.hpp"
#include "runtime/security/seccomp.hpp"

namespace stack::runtime::security {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

CapSet bit(int cap) { return CapSet{1} << cap; }

TEST(Capabilities, DefaultIsDockersFourteen) {
  EXPECT_EQ(default_capabilities(), 0xa80425fbull);
  EXPECT_EQ(capability_names(default_capabilities()).size(), 14u);
  EXPECT_FALSE(default_capabilities() & bit(CAP_SYS_ADMIN));
}

TEST(Capabilities, NamesInEverySpelling) {
  EXPECT_EQ(capability_from_name("NET_ADMIN").value_or(-1), CAP_NET_ADMIN);
  EXPECT_EQ(capability_from_name("cap_net_admin").value_or(-1), CAP_NET_ADMIN);
  EXPECT_EQ(capability_from_name("CAP_SYS_ADMIN").value_or(-1), CAP_SYS_ADMIN);
  EXPECT_EQ(capability_name(CAP_NET_BIND_SERVICE), "NET_BIND_SERVICE");
  auto bad = capability_from_name("NET_WIZARD");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "unknown capability 'NET_WIZARD'");
  EXPECT_FALSE(capability_from_name("12"));
  EXPECT_FALSE(capability_from_name(""));
}

TEST(Capabilities, NoChangesGiveTheDefault) {
  EXPECT_EQ(compute_capabilities({}).value_or(0), default_capabilities());
}

TEST(Capabilities, AddAndDrop) {
  CapabilityConfig c{{"NET_ADMIN"}, {"CHOWN", "MKNOD"}, false};
  CapSet want = (default_capabilities() | bit(CAP_NET_ADMIN)) & ~bit(CAP_CHOWN) & ~bit(CAP_MKNOD);
  EXPECT_EQ(compute_capabilities(c).value_or(0), want);
}

TEST(Capabilities, AddWinsOverDrop) {
  CapabilityConfig c{{"CHOWN"}, {"CHOWN"}, false};
  EXPECT_TRUE(compute_capabilities(c).value_or(0) & bit(CAP_CHOWN));
}

TEST(Capabilities, DropAllKeepsOnlyAdded) {
  CapabilityConfig c{{"KILL"}, {"all"}, false};
  EXPECT_EQ(compute_capabilities(c).value_or(0), bit(CAP_KILL));
}

TEST(Capabilities, AddAllMinusDrop) {
  CapabilityConfig c{{"ALL"}, {"SYS_ADMIN"}, false};
  EXPECT_EQ(compute_capabilities(c).value_or(0), all_capabilities() & ~bit(CAP_SYS_ADMIN));
}

TEST(Capabilities, PrivilegedIsEverythingTheKernelKnows) {
  CapabilityConfig c{{}, {"ALL"}, true};
  CapSet all = compute_capabilities(c).value_or(0);
  EXPECT_EQ(all, all_capabilities());
  EXPECT_TRUE(all & bit(CAP_SYS_ADMIN));
  EXPECT_FALSE(all & bit(last_capability() + 1));
}

TEST(Capabilities, UnknownNameIsAnError) {
  CapabilityConfig c{{"BOGUS"}, {}, false};
  auto r = compute_capabilities(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "unknown capability 'BOGUS'");
}

TEST(Seccomp, EveryListedSyscallResolvesOnThisArch) {
  auto list = resolve_blocked_syscalls();
  EXPECT_THAT(list.unknown, IsEmpty());
  EXPECT_EQ(list.resolved.size(), default_blocked_syscalls().size());
}

TEST(Seccomp, TheImportantOnesAreRealSyscallsHere) {
  for (const char* name : {"mount", "umount2", "reboot", "kexec_load", "init_module", "bpf",
                           "ptrace", "keyctl", "unshare", "setns", "pivot_root", "swapon", "acct",
                           "settimeofday", "open_by_handle_at", "userfaultfd", "perf_event_open"}) {
    EXPECT_GE(seccomp_syscall_resolve_name(name), 0) << name;
  }
}

TEST(Seccomp, ListHasNoDuplicates) {
  std::set<std::string> seen;
  for (const auto& b : default_blocked_syscalls()) EXPECT_TRUE(seen.insert(b.name).second) << b.name;
}

}  // namespace
}  // namespace stack::runtime::security
