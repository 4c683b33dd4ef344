// The Limits -> cgroup file tables, v1 and v2, for every limit; the unit conversions; validation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/cgroup/limits.hpp"
#include "runtime/cgroup/settings.hpp"

namespace stack::runtime::cgroup {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Setting row(std::string controller, std::string file, std::string value, Need need = Need::required) {
  return Setting{std::move(controller), std::move(file), std::move(value), need};
}

TEST(CpusToQuota, ConvertsDockerCpusWithTheDefaultPeriod) {
  EXPECT_EQ(cpus_to_quota(1.5), (CpuQuota{150000, 100000}));
  EXPECT_EQ(cpus_to_quota(0.2), (CpuQuota{20000, 100000}));
  EXPECT_EQ(cpus_to_quota(4), (CpuQuota{400000, 100000}));
}

TEST(CpusToQuota, ZeroIsUnlimitedAndTinyValuesAreRaisedToTheKernelMinimum) {
  EXPECT_EQ(cpus_to_quota(0), (CpuQuota{-1, 100000}));
  EXPECT_EQ(cpus_to_quota(0.001), (CpuQuota{1000, 100000}));
}

TEST(SharesToWeight, FollowsTheRuncFormula) {
  EXPECT_EQ(shares_to_weight(2), 1u);
  EXPECT_EQ(shares_to_weight(1024), 39u);  // docker's default shares -> 1 + 1022*9999/262142
  EXPECT_EQ(shares_to_weight(262144), 10000u);
  EXPECT_EQ(shares_to_weight(0), 1u);  // clamped, never an invalid weight
}

TEST(BlkioToIoWeight, MapsTheBlkioRangeOntoIoWeight) {
  EXPECT_EQ(blkio_to_io_weight(10), 1u);
  EXPECT_EQ(blkio_to_io_weight(500), 1 + 490u * 9999 / 990);
  EXPECT_EQ(blkio_to_io_weight(1000), 10000u);
}

TEST(SettingsV1, MemoryRows) {
  Limits l;
  l.memory_bytes = 32 << 20;
  l.memory_swap_bytes = 64 << 20;
  l.memory_reservation_bytes = 16 << 20;
  EXPECT_THAT(settings_v1(l), ElementsAre(row("memory", "memory.limit_in_bytes", "33554432"),
                                          row("memory", "memory.memsw.limit_in_bytes", "67108864"),
                                          row("memory", "memory.soft_limit_in_bytes", "16777216")));
}

TEST(SettingsV1, RealTimeRowsPeriodFirst) {
  Limits l;
  l.cpu_rt_runtime_us = 20000;
  l.cpu_rt_period_us = 100000;
  EXPECT_THAT(settings_v1(l), ElementsAre(row("cpu", "cpu.rt_period_us", "100000"),
                                          row("cpu", "cpu.rt_runtime_us", "20000")));
  Limits over;
  over.cpu_rt_runtime_us = 200000;
  over.cpu_rt_period_us = 100000;
  EXPECT_EQ(validate(over).error().message(), "limits: 'cpu_rt_runtime_us' must not exceed 'cpu_rt_period_us' (default 1000000)");
}

TEST(SettingsV1, UnlimitedSwapIsWrittenOnlyIfSwapAccountingExists) {
  Limits l;
  l.memory_bytes = 1 << 20;
  l.memory_swap_bytes = -1;
  EXPECT_THAT(settings_v1(l), ElementsAre(row("memory", "memory.limit_in_bytes", "1048576"),
                                          row("memory", "memory.memsw.limit_in_bytes", "-1", Need::if_present)));
}

TEST(SettingsV1, CpuAndCpusetRows) {
  Limits l;
  l.cpu_quota_us = 20000;
  l.cpu_period_us = 50000;
  l.cpu_shares = 512;
  l.cpuset_cpus = "0-1";
  EXPECT_THAT(settings_v1(l), ElementsAre(row("cpu", "cpu.cfs_period_us", "50000"),
                                          row("cpu", "cpu.cfs_quota_us", "20000"), row("cpu", "cpu.shares", "512"),
                                          row("cpuset", "cpuset.cpus", "0-1")));
}

TEST(SettingsV1, PidsRows) {
  Limits l;
  l.pids_max = 10;
  EXPECT_THAT(settings_v1(l), ElementsAre(row("pids", "pids.max", "10")));
  l.pids_max = -1;
  EXPECT_THAT(settings_v1(l), ElementsAre(row("pids", "pids.max", "max")));
}

TEST(SettingsV1, BlkioRowsWithTheBfqAlternative) {
  Limits l;
  l.blkio_weight = 300;
  l.read_bps = {{8, 0, 1048576}, {8, 16, 2048}};
  l.write_bps = {{8, 0, 4096}};
  l.read_iops = {{254, 0, 100}};
  l.write_iops = {{254, 0, 200}};
  Setting weight = row("blkio", "blkio.weight", "300");
  weight.alt_file = "blkio.bfq.weight";
  weight.alt_value = "300";
  EXPECT_THAT(settings_v1(l),
              ElementsAre(weight, row("blkio", "blkio.throttle.read_bps_device", "8:0 1048576"),
                          row("blkio", "blkio.throttle.read_bps_device", "8:16 2048"),
                          row("blkio", "blkio.throttle.write_bps_device", "8:0 4096"),
                          row("blkio", "blkio.throttle.read_iops_device", "254:0 100"),
                          row("blkio", "blkio.throttle.write_iops_device", "254:0 200")));
}

TEST(SettingsV1, SwappinessAndOomControlRows) {
  Limits l;
  l.memory_swappiness = 0;
  l.oom_kill_disable = true;
  EXPECT_THAT(settings_v1(l), ElementsAre(row("memory", "memory.swappiness", "0"), row("memory", "memory.oom_control", "1")));
  EXPECT_THAT(settings_v2(l), IsEmpty());  // v2 has neither: the manager notes it (as docker warns)
}

TEST(SettingsV1, DevicesDenyAllThenAllowEachRule) {
  Limits l;
  l.devices = std::vector<DeviceRule>{{DeviceType::character, 1, 3, util::kAccessAll},
                                      {DeviceType::block, std::nullopt, std::nullopt, util::kAccessMknod}};
  EXPECT_THAT(settings_v1(l), ElementsAre(row("devices", "devices.deny", "a"), row("devices", "devices.allow", "c 1:3 rwm"),
                                          row("devices", "devices.allow", "b *:* m")));
  EXPECT_THAT(settings_v2(l), IsEmpty());  // v2: an eBPF program (device_filter.hpp), not files
  l.devices = std::vector<DeviceRule>{};  // no rule: nothing allowed
  EXPECT_THAT(settings_v1(l), ElementsAre(row("devices", "devices.deny", "a")));
}

TEST(SettingsV1, NoLimitsNoRows) { EXPECT_THAT(settings_v1(Limits{}), IsEmpty()); }

TEST(SettingsV2, MemoryRowsSplitSwapFromTheTotal) {
  Limits l;
  l.memory_bytes = 32 << 20;
  l.memory_swap_bytes = 48 << 20;
  l.memory_reservation_bytes = 8 << 20;
  EXPECT_THAT(settings_v2(l), ElementsAre(row("memory", "memory.max", "33554432"),
                                          row("memory", "memory.swap.max", "16777216"),
                                          row("memory", "memory.low", "8388608")));
  l.memory_swap_bytes = 32 << 20;  // memory+swap == memory: no swap at all
  EXPECT_EQ(settings_v2(l)[1], row("memory", "memory.swap.max", "0"));
  l.memory_swap_bytes = -1;
  EXPECT_EQ(settings_v2(l)[1], row("memory", "memory.swap.max", "max", Need::if_present));
}

TEST(SettingsV2, CpuMaxCombinesQuotaAndPeriod) {
  Limits l;
  l.cpu_quota_us = 20000;
  EXPECT_THAT(settings_v2(l), ElementsAre(row("cpu", "cpu.max", "20000 100000")));
  l.cpu_period_us = 50000;
  EXPECT_THAT(settings_v2(l), ElementsAre(row("cpu", "cpu.max", "20000 50000")));
  l.cpu_quota_us = -1;
  EXPECT_THAT(settings_v2(l), ElementsAre(row("cpu", "cpu.max", "max 50000")));
  l.cpu_quota_us.reset();
  EXPECT_THAT(settings_v2(l), ElementsAre(row("cpu", "cpu.max", "max 50000")));
}

TEST(SettingsV2, SharesBecomeWeightAndCpusetIsKept) {
  Limits l;
  l.cpu_shares = 1024;
  l.cpuset_cpus = "0,2-3";
  l.pids_max = 10;
  EXPECT_THAT(settings_v2(l), ElementsAre(row("cpu", "cpu.weight", "39"), row("cpuset", "cpuset.cpus", "0,2-3"),
                                          row("pids", "pids.max", "10")));
}

TEST(SettingsV2, IoMaxGroupsEveryKeyOfADeviceOnOneLine) {
  Limits l;
  l.blkio_weight = 1000;
  l.read_bps = {{8, 0, 1048576}};
  l.write_bps = {{8, 0, 4096}, {8, 16, 512}};
  l.read_iops = {{8, 16, 10}};
  l.write_iops = {{8, 0, 20}};
  Setting weight = row("io", "io.weight", "default 10000");
  weight.alt_file = "io.bfq.weight";
  weight.alt_value = "default 1000";
  EXPECT_THAT(settings_v2(l), ElementsAre(weight, row("io", "io.max", "8:0 rbps=1048576 wbps=4096 wiops=20"),
                                          row("io", "io.max", "8:16 wbps=512 riops=10")));
}

TEST(Validate, AcceptsDockerLikeValues) {
  Limits l;
  l.memory_bytes = 32 << 20;
  l.memory_swap_bytes = -1;
  l.cpu_quota_us = 20000;
  l.cpu_period_us = 100000;
  l.cpu_shares = 2;
  l.cpuset_cpus = "0-1,3";
  l.blkio_weight = 10;
  l.pids_max = -1;
  EXPECT_TRUE(validate(l));
}

TEST(Validate, ReportsEveryViolationNamingTheField) {
  Limits l;
  l.cpu_shares = 1;
  l.blkio_weight = 5;
  l.cpuset_cpus = "0-";
  l.memory_swap_bytes = 1 << 20;
  l.pids_max = 0;
  l.read_bps = {{8, 0, 0}};
  auto r = validate(l);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), util::Errc::invalid_argument);
  const std::string& msg = r.error().message();
  EXPECT_THAT(msg, HasSubstr("'cpu_shares' 1 is out of range 2..262144"));
  EXPECT_THAT(msg, HasSubstr("'blkio_weight' 5 is out of range 10..1000"));
  EXPECT_THAT(msg, HasSubstr("'cpuset_cpus' '0-' is not a cpu list"));
  EXPECT_THAT(msg, HasSubstr("'memory_swap_bytes' needs 'memory_bytes'"));
  EXPECT_THAT(msg, HasSubstr("'pids_max' 0 is out of range"));
  EXPECT_THAT(msg, HasSubstr("'read_bps' for device 8:0 must be greater than 0"));
}

TEST(Validate, SwapTotalBelowMemoryIsRejected) {
  Limits l;
  l.memory_bytes = 64 << 20;
  l.memory_swap_bytes = 32 << 20;
  auto r = validate(l);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message(), HasSubstr("must be at least 'memory_bytes'"));
}

}  // namespace
}  // namespace stack::runtime::cgroup
