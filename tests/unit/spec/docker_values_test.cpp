// Values docker accepts mean what they mean in docker (0 = unlimited memory and pids, cpu shares
// raised or lowered into the kernel's range); what the runtime cannot honour is refused in the
// file, each error at its file:line:col, all at once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/normalize.hpp"
#include "spec/security_opt.hpp"
#include "unit/spec/normalize_fixture.hpp"

namespace stack::spec {
namespace {

using namespace stack::spec::testing;
using ::testing::ElementsAre;

TEST(DockerValues, ZeroMemoryAndPidsAreUnlimited) {
  auto o = run_service("    mem_limit: 0\n    pids_limit: 0\n    mem_reservation: 0\n    memswap_limit: 0\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const Resources& r = o.service().resources;
  EXPECT_EQ(r.memory, std::nullopt);
  EXPECT_EQ(r.memory_reservation, std::nullopt);
  EXPECT_EQ(r.memswap, std::nullopt);
  EXPECT_EQ(r.pids, -1);
}

TEST(DockerValues, DeployLimitsOfZeroAndNegativePidsAreUnlimited) {
  auto o = run_service("    deploy:\n      resources:\n        limits: {memory: 0, pids: 0}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service().resources.memory, std::nullopt);
  EXPECT_EQ(o.service().resources.pids, -1);
  auto negative = run_service("    pids_limit: -5\n    deploy: {resources: {limits: {pids: -1}}}\n");
  ASSERT_TRUE(negative.stack) << negative.errors();
  EXPECT_EQ(negative.service().resources.pids, -1);
}

TEST(DockerValues, CpuSharesRaisedAndLoweredIntoTheKernelsRange) {
  auto low = run_service("    cpu_shares: 1\n");
  ASSERT_TRUE(low.stack) << low.errors();
  EXPECT_EQ(low.service().resources.cpu_shares, 2);
  ASSERT_EQ(low.diags.warnings().size(), 1u);
  EXPECT_EQ(low.diags.warnings()[0].format(),
            "stack.yaml:4:17: services.a.cpu_shares: cpu shares 1 changed to 2 (the kernel's range is 2 to 262144)");
  auto high = run_service("    cpu_shares: 300000\n");
  ASSERT_TRUE(high.stack) << high.errors();
  EXPECT_EQ(high.service().resources.cpu_shares, 262144);
  auto unset = run_service("    cpu_shares: 0\n");
  ASSERT_TRUE(unset.stack) << unset.errors();
  EXPECT_EQ(unset.service().resources.cpu_shares, std::nullopt);
}

TEST(DockerValues, SwapWithoutAMemoryLimitIsRefused) {
  auto o = run_service("    memswap_limit: 1g\n");
  EXPECT_EQ(o.errors(), "stack.yaml:4:20: services.a.memswap_limit: needs a memory limit (mem_limit): it is "
                        "memory plus swap");
  auto zero = run_service("    mem_limit: 0\n    memswap_limit: 1g\n");
  EXPECT_EQ(zero.errors(), "stack.yaml:5:20: services.a.memswap_limit: needs a memory limit (mem_limit): it is "
                           "memory plus swap");
  auto unlimited = run_service("    memswap_limit: -1\n");
  ASSERT_TRUE(unlimited.stack) << unlimited.errors();
  EXPECT_EQ(unlimited.service().resources.memswap, std::nullopt);
}

TEST(DockerValues, CpuQuotaPeriodAndCpusetInTheKernelsRange) {
  auto o = run_service("    cpu_quota: 500\n    cpu_period: 0\n    cpuset: 3-1\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:4:16: services.a.cpu_quota: must be at least 1000 (1 ms), or -1 for no limit\n"
            "stack.yaml:6:13: services.a.cpuset: \"3-1\": the range 3-1 goes down");
  auto ok = run_service("    cpu_quota: 0\n    cpu_period: 0\n");
  ASSERT_TRUE(ok.stack) << ok.errors();
  EXPECT_EQ(ok.service().resources.cpu_quota, std::nullopt);
  EXPECT_EQ(ok.service().resources.cpu_period, std::nullopt);
}

TEST(DockerValues, ThrottleRateOfZeroIsNoLimit) {
  auto o = run_service("    blkio_config:\n      device_read_bps: [{path: /dev/sda, rate: 0}]\n"
                       "      device_write_iops: [{path: /dev/sda, rate: 10}]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_TRUE(o.service().resources.blkio.device_read_bps.empty());
  EXPECT_EQ(o.service().resources.blkio.device_write_iops.size(), 1u);
}

TEST(DockerValues, SysctlsThatAreNotNamespacedAreRefused) {
  auto o = run("services:\n  a:\n    image: x\n    sysctls: {vm.swappiness: 1, net.core.somaxconn: 1024}\n"
               "  b:\n    image: x\n    sysctls: ['kernel.sem=1', 'kernel.hostname=x']\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:4:15: services.a.sysctls.vm.swappiness: 'vm.swappiness' is not namespaced (it would "
            "change the host)\n"
            "stack.yaml:7:31: services.b.sysctls[1]: 'kernel.hostname' is not namespaced (it would change the host)");
}

TEST(DockerValues, NetSysctlsNeedTheirOwnNetworkNamespace) {
  auto o = run_service("    network_mode: host\n    sysctls: {net.core.somaxconn: 1024, kernel.shmmax: 1}\n");
  EXPECT_EQ(o.errors(), "stack.yaml:5:15: services.a.sysctls.net.core.somaxconn: 'net.core.somaxconn' is not "
                        "allowed with the host network namespace");
}

TEST(DockerValues, SecurityOptionsTheRuntimeHonours) {
  auto o = run_service("    security_opt: [no-new-privileges, 'no-new-privileges=0', 'seccomp:unconfined',\n"
                       "      label=disable, 'label:disable', apparmor=unconfined, systempaths=unconfined]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service().security_opt.size(), 7u);
}

TEST(DockerValues, SecurityOptionsTheRuntimeCannotHonourAreRefused) {
  auto o = run_service("    security_opt:\n      - apparmor=foo\n      - 'label:type:svirt_t'\n"
                       "      - seccomp=/etc/profile.json\n      - no-new-privileges=maybe\n      - apparmor\n"
                       "      - systempaths=open\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:5:9: services.a.security_opt[0]: not supported: the runtime loads no AppArmor profile "
            "(only 'unconfined', which every container is)\n"
            "stack.yaml:6:9: services.a.security_opt[1]: not supported: the runtime applies no SELinux labels "
            "(only 'disable', which every container is)\n"
            "stack.yaml:7:9: services.a.security_opt[2]: not supported yet: seccomp profile files (the runtime "
            "has its default profile, 'builtin', and 'unconfined')\n"
            "stack.yaml:8:9: services.a.security_opt[3]: 'maybe' is not a boolean\n"
            "stack.yaml:9:9: services.a.security_opt[4]: 'apparmor' needs a value ('apparmor=...')\n"
            "stack.yaml:10:9: services.a.security_opt[5]: unknown value 'open' (only 'unconfined')");
}

TEST(DockerValues, WorkingDirAndUtsNamesAsTheKernelTakesThem) {
  auto o = run_service("    working_dir: app\n    hostname: " + std::string(65, 'h') + "\n    domainname: example.com\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:4:18: services.a.working_dir: 'app' is not an absolute path\n"
            "stack.yaml:5:15: services.a.hostname: is 65 bytes long: the kernel takes at most 64");
  auto ok = run_service("    working_dir: /app\n    hostname: web\n    domainname: example.com\n");
  ASSERT_TRUE(ok.stack) << ok.errors();
  EXPECT_EQ(ok.service().working_dir, "/app");
  EXPECT_EQ(ok.service().hostname, "web");
  EXPECT_EQ(ok.service().domainname, "example.com");
}

TEST(DockerValues, EveryErrorOfTheIssueAtOnce) {
  auto o = run_service("    memswap_limit: 1g\n    ports: ['80:80/sctp']\n    security_opt: [apparmor=foo]\n"
                       "    sysctls: {vm.swappiness: 1}\n");
  EXPECT_EQ(o.diags.list().size(), 4u) << o.errors();
}

TEST(SecurityOpt, SplitsAsDockerDoes) {
  auto o = split_security_opt("label:type:svirt_t");
  EXPECT_EQ(o.name, "label");
  EXPECT_EQ(o.value, "type:svirt_t");
  auto eq = split_security_opt("label=type:x");
  EXPECT_EQ(eq.name, "label");
  EXPECT_EQ(eq.value, "type:x");
  auto bare = split_security_opt("no-new-privileges");
  EXPECT_FALSE(bare.has_value);
  EXPECT_EQ(parse_go_bool("T"), true);
  EXPECT_EQ(parse_go_bool("0"), false);
  EXPECT_EQ(parse_go_bool("yes"), std::nullopt);
}

}  // namespace
}  // namespace stack::spec
