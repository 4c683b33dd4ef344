// Service keys that reach the host's kernel: devices, device_cgroup_rules, dns_search, dns_opt,
// oom_score_adj, mem_swappiness and oom_kill_disable; read, checked with positions, and printed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/serialize.hpp"
#include "unit/spec/normalize_fixture.hpp"

namespace stack::spec {
namespace {

using namespace stack::spec::testing;

TEST(HostKeys, DevicesInShortAndLongSyntax) {
  auto o = run_service("    devices:\n"
                       "      - /dev/ttyUSB0\n"
                       "      - /dev/sda:/dev/xvda:r\n"
                       "      - /dev/sdb:rw\n"
                       "      - {source: /dev/snd, target: /dev/snd/, permissions: rwm}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const auto& d = o.service().devices;
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].source, "/dev/ttyUSB0");
  EXPECT_EQ(d[0].target, "/dev/ttyUSB0");
  EXPECT_EQ(d[0].permissions, "rwm");
  EXPECT_EQ(d[1].target, "/dev/xvda");
  EXPECT_EQ(d[1].permissions, "r");
  EXPECT_EQ(d[2].target, "/dev/sdb");  // "rw" is permissions, as docker reads "/dev/sdb:rw"
  EXPECT_EQ(d[2].permissions, "rw");
  EXPECT_EQ(d[3].target, "/dev/snd");  // cleaned as compose cleans container paths
  EXPECT_EQ(d[3].location.mark.line, 8);
  EXPECT_EQ(to_json(o.service())["devices"][1],
            nlohmann::json({{"source", "/dev/sda"}, {"target", "/dev/xvda"}, {"permissions", "r"}}));
}

TEST(HostKeys, BadDevicesAreRefusedAtTheirItem) {
  auto o = run_service("    devices:\n"
                       "      - dev/sda\n"
                       "      - /dev/sda:/data/disk\n"
                       "      - /dev/sda:/dev/sda:rx\n"
                       "      - nvidia.com/gpu=all\n"
                       "      - {target: /dev/x}\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:5:9: services.a.devices[0]: 'dev/sda': the host path of the device must be absolute\n"
            "stack.yaml:6:9: services.a.devices[1]: '/data/disk': not supported yet: device nodes are made below /dev\n"
            "stack.yaml:7:9: services.a.devices[2]: permissions 'rx' are not a subset of 'rwm'\n"
            "stack.yaml:8:9: services.a.devices[3]: 'nvidia.com/gpu=all': not supported: CDI device names "
            "need a CDI registry; give the host path of the device\n"
            "stack.yaml:9:9: services.a.devices[4]: missing 'source'");
}

TEST(HostKeys, DeviceCgroupRulesAreCheckedAndNormalised) {
  auto o = run_service("    device_cgroup_rules: ['c 189:* rmw', 'a']\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service().device_cgroup_rules, ::testing::ElementsAre("c 189:* rwm", "a *:* rwm"));
  auto bad = run_service("    device_cgroup_rules:\n      - 'c 189 rwm'\n");
  EXPECT_EQ(bad.errors(), "stack.yaml:5:9: services.a.device_cgroup_rules[0]: device rule 'c 189 rwm': "
                          "expected MAJOR:MINOR, e.g. '1:3' or '8:*'");
}

TEST(HostKeys, DnsSearchAndOptions) {
  auto o = run_service("    dns_search: example.com\n    dns_opt: [ndots:2, use-vc]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service().dns_search, ::testing::ElementsAre("example.com"));
  EXPECT_THAT(o.service().dns_opt, ::testing::ElementsAre("ndots:2", "use-vc"));
  auto j = to_json(o.service());
  EXPECT_EQ(j["dns_search"], nlohmann::json({"example.com"}));
  EXPECT_EQ(j["dns_opt"], nlohmann::json({"ndots:2", "use-vc"}));
  auto bad = run_service("    dns_opt: ['ndots:1 rotate']\n");
  EXPECT_EQ(bad.errors(), "stack.yaml:4:15: services.a.dns_opt[0]: 'ndots:1 rotate' must be one word without blanks");
}

TEST(HostKeys, OomAndSwappinessInTheirRanges) {
  auto o = run_service("    oom_score_adj: -500\n    mem_swappiness: 10\n    oom_kill_disable: true\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_EQ(o.service().oom_score_adj, -500);
  EXPECT_EQ(o.service().resources.memory_swappiness, 10);
  EXPECT_TRUE(o.service().resources.oom_kill_disable);
  auto j = to_json(o.service());
  EXPECT_EQ(j["oom_score_adj"], -500);
  EXPECT_EQ(j["mem_swappiness"], 10);
  EXPECT_EQ(j["oom_kill_disable"], true);
  auto unset = run_service("    mem_swappiness: -1\n");  // docker's "not set"
  ASSERT_TRUE(unset.stack) << unset.errors();
  EXPECT_FALSE(unset.service().resources.memory_swappiness);
  auto bad = run_service("    oom_score_adj: 1001\n    mem_swappiness: 101\n");
  EXPECT_THAT(bad.errors(), ::testing::HasSubstr("stack.yaml:4:20: services.a.oom_score_adj:"));
  EXPECT_THAT(bad.errors(), ::testing::HasSubstr("stack.yaml:5:21: services.a.mem_swappiness:"));
}

TEST(HostKeys, IpcPidAndUtsModes) {
  auto o = run("services:\n"
               "  a:\n    image: x\n    ipc: shareable\n"
               "  b:\n    image: x\n    ipc: service:a\n    pid: service:a\n"
               "  c:\n    image: x\n    ipc: host\n    pid: host\n    uts: host\n"
               "  d:\n    image: x\n    ipc: container:other\n    pid: container:other\n");
  ASSERT_TRUE(o.stack) << o.errors();
  using Kind = NamespaceMode::Kind;
  const auto& s = o.stack->services;
  EXPECT_EQ(s[0].ipc, NamespaceMode{});
  EXPECT_EQ(s[1].ipc, (NamespaceMode{Kind::service, "a"}));
  EXPECT_EQ(s[1].pid, (NamespaceMode{Kind::service, "a"}));
  EXPECT_EQ(s[2].uts, (NamespaceMode{Kind::host, ""}));
  EXPECT_EQ(s[3].pid, (NamespaceMode{Kind::container, "other"}));
  auto j = to_json(s[1]);
  EXPECT_EQ(j["ipc"], "service:a");
  EXPECT_FALSE(to_json(s[0]).contains("ipc"));
  EXPECT_EQ(to_json(s[2])["uts"], "host");
}

TEST(HostKeys, GroupAddAndCgroup) {
  auto o = run_service("    group_add: [audio, 4242, audio]\n    cgroup: host\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service().group_add, ::testing::ElementsAre("audio", "4242"));
  EXPECT_TRUE(o.service().cgroup_host);
  EXPECT_EQ(to_json(o.service())["group_add"], nlohmann::json({"audio", "4242"}));
  EXPECT_EQ(to_json(o.service())["cgroup"], "host");
  EXPECT_FALSE(run_service("    cgroup: private\n").service().cgroup_host);
  auto detached = run_service("    attach: false\n");
  ASSERT_TRUE(detached.stack) << detached.errors();
  EXPECT_FALSE(detached.service().attach);
  EXPECT_EQ(to_json(detached.service())["attach"], false);
  EXPECT_FALSE(to_json(o.service()).contains("attach"));
  auto bad = run_service("    group_add: ['a:b']\n    cgroup: shared\n");
  EXPECT_EQ(bad.errors(), "stack.yaml:4:17: services.a.group_add[0]: 'a:b' is not a group name or id\n"
                          "stack.yaml:5:13: services.a.cgroup: 'shared' is not a valid cgroup mode (host or private)");
}

TEST(HostKeys, BadNamespaceModesAndConflicts) {
  auto o = run("services:\n"
               "  a:\n    image: x\n    ipc: service:a\n    pid: private\n    uts: service:b\n"
               "  c:\n    image: x\n    uts: host\n    hostname: c1\n"
               "  d:\n    image: x\n    ipc: host\n    sysctls: {kernel.shmmax: '1024'}\n");
  EXPECT_THAT(o.errors(), ::testing::HasSubstr("stack.yaml:4:10: services.a.ipc: a service cannot share its own ipc namespace"));
  EXPECT_THAT(o.errors(), ::testing::HasSubstr("stack.yaml:5:10: services.a.pid: 'private' is not a valid pid mode (host, "
                                               "service:NAME or container:NAME)"));
  EXPECT_THAT(o.errors(), ::testing::HasSubstr("services.a.uts: 'service:b' is not a valid uts mode (host)"));
  EXPECT_THAT(o.errors(), ::testing::HasSubstr("stack.yaml:9:10: services.c.uts: host: hostname and domainname cannot be set"));
  EXPECT_THAT(o.errors(), ::testing::HasSubstr("services.d.sysctls.kernel.shmmax: 'kernel.shmmax' is not allowed with the "
                                               "host IPC namespace"));
}

TEST(HostKeys, TtyAndStdinOpenAreFlags) {
  auto o = run_service("    tty: true\n    stdin_open: true\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_TRUE(o.service().tty);
  EXPECT_TRUE(o.service().stdin_open);
  EXPECT_EQ(to_json(o.service())["tty"], true);
  EXPECT_EQ(to_json(o.service())["stdin_open"], true);
  auto plain = run_service("");
  EXPECT_FALSE(plain.service().tty);
  EXPECT_FALSE(to_json(plain.service()).contains("tty"));
  auto bad = run_service("    tty: maybe\n");
  EXPECT_THAT(bad.errors(), ::testing::HasSubstr("stack.yaml:4:10: services.a.tty: "));
}

}  // namespace
}  // namespace stack::spec
