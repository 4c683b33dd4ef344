// Resource limits: service-level keys, deploy, blkio_config, ulimits, scale, and their conflicts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/normalize.hpp"
#include "spec/reader.hpp"
#include "unit/spec/normalize_fixture.hpp"

namespace stack::spec {
namespace {

using namespace stack::spec::testing;

TEST(NormalizeResources, ServiceLevelKeys) {
  auto o = run_service("    mem_limit: 512m\n    memswap_limit: 1g\n    mem_reservation: 256MB\n"
                       "    cpus: 1.5\n    cpu_shares: 512\n    cpu_quota: 50000\n    cpu_period: 100000\n"
                       "    cpuset: 0-1,3\n    pids_limit: 100\n    shm_size: 64m\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const Resources& r = o.service().resources;
  EXPECT_EQ(r.memory, 512LL << 20);
  EXPECT_EQ(r.memswap, 1LL << 30);
  EXPECT_EQ(r.memory_reservation, 256LL << 20);
  EXPECT_EQ(r.cpus, 1.5);
  EXPECT_EQ(r.cpu_shares, 512);
  EXPECT_EQ(r.cpu_quota, 50000);
  EXPECT_EQ(r.cpu_period, 100000);
  EXPECT_EQ(r.cpuset, "0-1,3");
  EXPECT_EQ(r.pids, 100);
  EXPECT_EQ(o.service().shm_size, 64LL << 20);
}

TEST(NormalizeResources, IntegerSizesAreBytesAndSwapMayBeUnlimited) {
  auto o = run_service("    mem_limit: 1048576\n    memswap_limit: -1\n    pids_limit: -1\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service().resources.memory, 1048576);
  EXPECT_EQ(o.service().resources.memswap, -1);
  EXPECT_EQ(o.service().resources.pids, -1);
}

TEST(NormalizeResources, ValueErrors) {
  auto o = run_service("    mem_limit: 12q\n    cpus: lots\n    cpu_shares: -1\n    cpuset: 'a-b'\n"
                       "    cpu_period: 10\n    shm_size: -5\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:4:16: services.a.mem_limit: \"12q\" is not a valid size: unknown unit 'q'\n"
            "stack.yaml:5:11: services.a.cpus: \"lots\" is not a valid number\n"
            "stack.yaml:6:17: services.a.cpu_shares: must not be negative (0 is the default weight)\n"
            "stack.yaml:7:13: services.a.cpuset: \"a-b\" is not a valid cpu set\n"
            "stack.yaml:8:17: services.a.cpu_period: must be between 1000 (1 ms) and 1000000 (1 s)\n"
            "stack.yaml:9:15: services.a.shm_size: \"-5\" is not a valid size: negative");
}

TEST(NormalizeResources, SwapBelowMemory) {
  auto o = run_service("    mem_limit: 1g\n    memswap_limit: 512m\n");
  EXPECT_EQ(o.errors(), "stack.yaml:5:20: services.a.memswap_limit: must not be less than the memory limit (512m < 1g)");
}

TEST(NormalizeDeploy, ResourcesReplicasAndRestartPolicy) {
  auto o = run_service("    deploy:\n      replicas: 3\n      labels: {a: b}\n      resources:\n"
                       "        limits: {cpus: '0.5', memory: 1g, pids: 50}\n"
                       "        reservations: {cpus: '0.25', memory: 128m}\n"
                       "      restart_policy: {condition: on-failure, max_attempts: 4, delay: 5s}\n"
                       "      placement: {constraints: [x]}\n      update_config: {parallelism: 2}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const Service& s = o.service();
  EXPECT_EQ(s.replicas, 3);
  EXPECT_EQ(s.resources.cpus, 0.5);
  EXPECT_EQ(s.resources.memory, 1LL << 30);
  EXPECT_EQ(s.resources.pids, 50);
  EXPECT_EQ(s.resources.reservation_cpus, 0.25);
  EXPECT_EQ(s.resources.memory_reservation, 128LL << 20);
  EXPECT_EQ(s.restart.kind, RestartPolicy::Kind::on_failure);
  EXPECT_EQ(s.restart.max_retries, 4);
}

TEST(NormalizeDeploy, RestartPolicyConditions) {
  auto o = run("services:\n  a:\n    image: x\n    deploy: {restart_policy: {condition: any}}\n"
               "  b:\n    image: x\n    deploy: {restart_policy: {condition: none}}\n"
               "  c:\n    image: x\n    restart: unless-stopped\n    deploy: {restart_policy: {condition: any}}\n"
               "  d:\n    image: x\n    deploy: {restart_policy: {}}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service("a").restart.kind, RestartPolicy::Kind::always);
  EXPECT_EQ(o.service("b").restart.kind, RestartPolicy::Kind::no);
  EXPECT_EQ(o.service("c").restart.kind, RestartPolicy::Kind::unless_stopped);  // restart: wins
  EXPECT_EQ(o.service("d").restart.kind, RestartPolicy::Kind::always);
}

TEST(NormalizeDeploy, Errors) {
  auto o = run_service("    deploy:\n      mode: global\n      replicas: -1\n      resources:\n"
                       "        limits: {memroy: 1g}\n        reservations: {devices: []}\n"
                       "      restart_policy: {condition: sometimes}\n      strategy: x\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:11:7: services.a.deploy: unknown key 'strategy'\n"
            "stack.yaml:5:13: services.a.deploy.mode: mode 'global' is not supported yet\n"
            "stack.yaml:6:17: services.a.deploy.replicas: -1 is out of range (0 to 10000)\n"
            "stack.yaml:8:18: services.a.deploy.resources.limits: unknown key 'memroy' (did you mean 'memory'?)\n"
            "stack.yaml:9:33: services.a.deploy.resources.reservations.devices: not supported yet\n"
            "stack.yaml:10:35: services.a.deploy.restart_policy.condition: unknown condition 'sometimes' (none, on-failure or any)");
}

TEST(NormalizeConflicts, MemLimitVersusDeploy) {
  auto o = run_service("    mem_limit: 512m\n    deploy:\n      resources:\n        limits: {memory: 1g}\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:4:16: services.a.mem_limit: conflicts with deploy.resources.limits.memory (512m vs 1g)");
}

TEST(NormalizeConflicts, SameValueBothWaysIsFine) {
  auto o = run_service("    mem_limit: 1024m\n    cpus: 2\n    deploy:\n      resources:\n        limits: {memory: 1g, cpus: '2.0'}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service().resources.memory, 1LL << 30);
}

TEST(NormalizeConflicts, CpusAndPidsVersusDeploy) {
  auto o = run_service("    cpus: 1\n    pids_limit: 10\n    deploy:\n      resources:\n        limits: {cpus: 2, pids: 20}\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:4:11: services.a.cpus: conflicts with deploy.resources.limits.cpus (1 vs 2)\n"
            "stack.yaml:5:17: services.a.pids_limit: conflicts with deploy.resources.limits.pids (10 vs 20)");
}

TEST(NormalizeConflicts, ScaleVersusReplicas) {
  auto o = run_service("    scale: 2\n    deploy: {replicas: 3}\n");
  EXPECT_EQ(o.errors(), "stack.yaml:4:12: services.a.scale: conflicts with deploy.replicas (2 vs 3)");
}

TEST(NormalizeScale, SetsReplicas) {
  auto o = run_service("    scale: 4\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service().replicas, 4);
}

TEST(NormalizeBlkio, AllFields) {
  auto o = run_service("    blkio_config:\n      weight: 300\n      weight_device: [{path: /dev/sda, weight: 400}]\n"
                       "      device_read_bps: [{path: /dev/sda, rate: 12mb}]\n"
                       "      device_write_bps: [{path: /dev/sda, rate: 1024}]\n"
                       "      device_read_iops: [{path: /dev/sdb, rate: 120}]\n"
                       "      device_write_iops: [{path: /dev/sdb, rate: 30}]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const Blkio& b = o.service().resources.blkio;
  EXPECT_EQ(b.weight, 300);
  EXPECT_THAT(b.weight_device, ::testing::ElementsAre(DeviceRate{"/dev/sda", 400}));
  EXPECT_THAT(b.device_read_bps, ::testing::ElementsAre(DeviceRate{"/dev/sda", 12u << 20}));
  EXPECT_THAT(b.device_write_bps, ::testing::ElementsAre(DeviceRate{"/dev/sda", 1024}));
  EXPECT_THAT(b.device_read_iops, ::testing::ElementsAre(DeviceRate{"/dev/sdb", 120}));
  EXPECT_THAT(b.device_write_iops, ::testing::ElementsAre(DeviceRate{"/dev/sdb", 30}));
}

TEST(NormalizeBlkio, Errors) {
  auto o = run_service("    blkio_config:\n      weight: 5\n      weight_device: [{path: /dev/sda, weight: 2000}]\n"
                       "      device_read_bps: [{path: sda, rate: 1m}]\n      device_read_iops: [{path: /dev/sda}]\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:5:15: services.a.blkio_config.weight: must be 0 or between 10 and 1000\n"
            "stack.yaml:6:48: services.a.blkio_config.weight_device[0].weight: 2000 is out of range (10 to 1000)\n"
            "stack.yaml:7:32: services.a.blkio_config.device_read_bps[0].path: must be an absolute device path\n"
            "stack.yaml:8:26: services.a.blkio_config.device_read_iops[0]: needs 'path' and 'rate'");
}

TEST(NormalizeUlimits, ShortAndLongForm) {
  auto o = run_service("    ulimits:\n      nproc: 65535\n      nofile: {soft: 20000, hard: 40000}\n"
                       "      memlock: {soft: -1, hard: -1}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const auto& u = o.service().ulimits;
  EXPECT_EQ(u.at("nproc"), (Ulimit{65535, 65535}));
  EXPECT_EQ(u.at("nofile"), (Ulimit{20000, 40000}));
  EXPECT_EQ(u.at("memlock"), (Ulimit{-1, -1}));
}

TEST(NormalizeUlimits, Errors) {
  auto o = run_service("    ulimits:\n      nofiles: 10\n      nproc: {soft: 10}\n      core: {soft: 20, hard: 10}\n"
                       "      stack: big\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:5:7: services.a.ulimits.nofiles: unknown ulimit 'nofiles' (did you mean 'nofile'?)\n"
            "stack.yaml:6:14: services.a.ulimits.nproc: needs both 'soft' and 'hard'\n"
            "stack.yaml:7:20: services.a.ulimits.core.soft: soft limit 20 is above hard limit 10\n"
            "stack.yaml:8:14: services.a.ulimits.stack: \"big\" is not a valid integer");
}

// cpu_rt_runtime and cpu_rt_period: microseconds or a duration, at most a second, the runtime
// within the period (1 s when not given), each error at its key.
TEST(NormalizeResources, RealTimeCpuTime) {
  auto o = run_service("    cpu_rt_runtime: 400ms\n    cpu_rt_period: 1000000\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service().resources.cpu_rt_runtime, 400000);
  EXPECT_EQ(o.service().resources.cpu_rt_period, 1000000);
  auto us = run_service("    cpu_rt_runtime: 95000\n    cpu_rt_period: 1400us\n");
  EXPECT_EQ(us.errors(), "stack.yaml:4:21: services.a.cpu_rt_runtime: must not exceed cpu_rt_period (1400 microseconds)");
  auto bad = run_service("    cpu_rt_runtime: 2s\n    cpu_rt_period: 0\n");
  EXPECT_EQ(bad.errors(),
            "stack.yaml:4:21: services.a.cpu_rt_runtime: 2s is out of range (0us to 1s)\n"
            "stack.yaml:5:20: services.a.cpu_rt_period: 0 is out of range (1 to 1000000)");
  auto alone = run_service("    cpu_rt_runtime: 1001000\n");
  EXPECT_EQ(alone.errors(), "stack.yaml:4:21: services.a.cpu_rt_runtime: 1001000 is out of range (0 to 1000000)");
}

}  // namespace
}  // namespace stack::spec
