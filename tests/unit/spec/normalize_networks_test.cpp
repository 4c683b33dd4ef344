// Service networks, network_mode, extra_hosts, dns, top-level networks; capabilities, sysctls,
// security_opt.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/normalize.hpp"
#include "spec/reader.hpp"
#include "unit/spec/normalize_fixture.hpp"

namespace stack::spec {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

using namespace stack::spec::testing;

TEST(NormalizeServiceNetworks, ListAndMapSortedByPriority) {
  auto o = run("services:\n  a:\n    image: x\n    networks:\n      back:\n      front:\n"
               "        aliases: [web]\n        ipv4_address: 172.20.0.5\n        mac_address: '02:42:ac:11:00:02'\n"
               "        priority: 10\n  b:\n    image: x\n    networks: [front, back]\n"
               "networks:\n  front: {ipam: {config: [{subnet: 172.20.0.0/16}]}}\n  back:\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const auto& a = o.service("a").networks;
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].key, "front");
  EXPECT_EQ(a[0].priority, 10);
  EXPECT_THAT(a[0].aliases, ElementsAre("web"));
  EXPECT_EQ(a[0].ipv4_address, util::Ipv4::parse("172.20.0.5").value());
  EXPECT_EQ(a[0].mac_address, "02:42:ac:11:00:02");
  EXPECT_EQ(a[0].location.path, "services.a.networks.front");
  EXPECT_EQ(a[1].key, "back");
  const auto& b = o.service("b").networks;
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].key, "back");
  EXPECT_EQ(b[1].key, "front");
  // "default" is not added when no service uses it.
  EXPECT_EQ(o.stack->find_network("default"), nullptr);
}

TEST(NormalizeServiceNetworks, Errors) {
  auto o = run_service("    networks:\n      n:\n        ipv4_address: 300.1.1.1\n        mac_address: zz\n"
                       "        alias: [x]\n        ipv6_address: 'fd00::zz'\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:8:9: services.a.networks.n: unknown key 'alias' (did you mean 'aliases'?)\n"
            "stack.yaml:6:23: services.a.networks.n.ipv4_address: '300.1.1.1' is not a valid ipv4 address\n"
            "stack.yaml:9:23: services.a.networks.n.ipv6_address: 'fd00::zz' is not a valid ipv6 address\n"
            "stack.yaml:7:22: services.a.networks.n.mac_address: 'zz' is not a valid mac address");
}

TEST(NormalizeNetworkMode, Kinds) {
  auto o = run("services:\n  a: {image: x, network_mode: host}\n  b: {image: x, network_mode: none}\n"
               "  c: {image: x, network_mode: 'service:a'}\n  d: {image: x, network_mode: 'container:abc'}\n"
               "  e: {image: x, network_mode: bridge}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  using K = NetworkMode::Kind;
  EXPECT_EQ(o.service("a").network_mode.kind, K::host);
  EXPECT_TRUE(o.service("a").networks.empty());
  EXPECT_EQ(o.service("b").network_mode.kind, K::none);
  EXPECT_EQ(o.service("c").network_mode.kind, K::service);
  EXPECT_EQ(o.service("c").network_mode.target, "a");
  EXPECT_EQ(o.service("d").network_mode.kind, K::container);
  EXPECT_EQ(o.service("d").network_mode.target, "abc");
  EXPECT_EQ(o.service("e").network_mode.kind, K::bridge);
  ASSERT_EQ(o.service("e").networks.size(), 1u);
  EXPECT_EQ(o.service("e").networks[0].key, "default");
}

TEST(NormalizeNetworkMode, Errors) {
  auto o = run_service("    network_mode: 'service:'\n");
  EXPECT_EQ(o.errors(), "stack.yaml:4:19: services.a.network_mode: \"service:\" is not a valid network mode "
                        "(bridge, host, none, service:NAME or container:NAME)");
  auto both = run_service("    network_mode: host\n    networks: [n]\n");
  EXPECT_EQ(both.errors(), "stack.yaml:4:19: services.a.network_mode: cannot be combined with 'networks'");
}

TEST(NormalizeExtraHosts, ListAndMap) {
  auto o = run("services:\n  a:\n    image: x\n    extra_hosts: ['db:10.0.0.2', 'v6=::1', 'gw:host-gateway']\n"
               "  b:\n    image: x\n    extra_hosts: {db: 10.0.0.3, multi: ['10.0.0.4', '[fe80::1]']}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service("a").extra_hosts,
              ElementsAre(ExtraHost{"db", "10.0.0.2"}, ExtraHost{"v6", "::1"}, ExtraHost{"gw", "host-gateway"}));
  EXPECT_THAT(o.service("b").extra_hosts,
              ElementsAre(ExtraHost{"db", "10.0.0.3"}, ExtraHost{"multi", "10.0.0.4"},
                          ExtraHost{"multi", "fe80::1"}));
}

TEST(NormalizeExtraHosts, Errors) {
  auto o = run_service("    extra_hosts: ['justhost', 'db:notanip']\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:4:19: services.a.extra_hosts[0]: \"justhost\" is not a valid host entry (host:ip)\n"
            "stack.yaml:4:31: services.a.extra_hosts[1]: 'notanip' is not a valid ip address for 'db'");
}

TEST(NormalizeDns, StringOrList) {
  auto o = run("services:\n  a: {image: x, dns: 1.1.1.1}\n  b: {image: x, dns: [8.8.8.8, '2001:4860:4860::8888']}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service("a").dns, ElementsAre("1.1.1.1"));
  EXPECT_THAT(o.service("b").dns, ElementsAre("8.8.8.8", "2001:4860:4860::8888"));
  auto bad = run_service("    dns: [8.8.8.8, dns.google]\n");
  EXPECT_EQ(bad.errors(), "stack.yaml:4:20: services.a.dns[1]: 'dns.google' is not a valid ip address");
}

TEST(NormalizeTopLevelNetworks, Fields) {
  auto o = run("services: {}\nnetworks:\n  front:\n    driver: bridge\n    internal: true\n    attachable: yes\n"
               "    enable_ipv6: false\n    driver_opts: {com.docker.network.bridge.name: br0}\n    labels: [a=b]\n"
               "    ipam:\n      driver: default\n      config:\n        - subnet: 10.5.0.0/16\n"
               "          gateway: 10.5.0.1\n          ip_range: 10.5.1.0/24\n"
               "  ext: {external: true}\n  named: {name: custom}\n  legacy: {external: {name: old-net}}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const auto& n = o.stack->networks;
  ASSERT_EQ(n.size(), 4u);
  EXPECT_EQ(n[0].key, "ext");
  EXPECT_EQ(n[0].name, "ext");
  EXPECT_TRUE(n[0].external);
  const Network& front = n[1];
  EXPECT_EQ(front.name, "demo_front");
  EXPECT_TRUE(front.internal);
  EXPECT_TRUE(front.attachable);
  EXPECT_FALSE(front.enable_ipv6);
  EXPECT_THAT(front.driver_opts, ElementsAre(Pair("com.docker.network.bridge.name", "br0")));
  EXPECT_THAT(front.labels, ElementsAre(Pair("a", "b")));
  EXPECT_THAT(front.ipam, ElementsAre(IpamPool{*util::Subnet::parse("10.5.0.0/16"), *util::Ipv4::parse("10.5.0.1"),
                                               *util::Subnet::parse("10.5.1.0/24")}));
  EXPECT_EQ(n[2].name, "old-net");
  EXPECT_EQ(n[3].name, "custom");
}

TEST(NormalizeTopLevelNetworks, Errors) {
  auto o = run("services: {}\nnetworks:\n  a: {driver: overlay}\n"
               "  b:\n    ipam:\n      config:\n        - subnet: 10.0.0.0/33\n        - subnet: 10.1.0.0/16\n"
               "          gateway: 10.2.0.1\n          ip_range: 10.0.0.0/8\n        - subnet: 'fd00::/64'\n"
               "  c: {external: true, ipam: {}}\n  d: {interal: true}\n"
               "  e:\n    ipam:\n      config:\n        - subnet: 10.3.0.1/16\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:3:15: networks.a.driver: driver 'overlay' is not supported yet\n"
            "stack.yaml:7:19: networks.b.ipam.config[0].subnet: '10.0.0.0/33' is not a valid ipv4 cidr\n"
            "stack.yaml:9:20: networks.b.ipam.config[1].gateway: '10.2.0.1' is outside subnet '10.1.0.0/16'\n"
            "stack.yaml:10:21: networks.b.ipam.config[1].ip_range: '10.0.0.0/8' is outside subnet '10.1.0.0/16'\n"
            "stack.yaml:11:19: networks.b.ipam.config[2].subnet: IPv6 subnet 'fd00::/64' needs 'enable_ipv6: true' on the network\n"
            "stack.yaml:12:23: networks.c.ipam: cannot be combined with 'external'\n"
            "stack.yaml:13:7: networks.d: unknown key 'interal' (did you mean 'internal'?)\n"
            "stack.yaml:17:19: networks.e.ipam.config[0].subnet: subnet '10.3.0.1/16' has host bits set (did you "
            "mean '10.3.0.0/16'?)");
}

TEST(NormalizeCapabilities, NormalisedNames) {
  auto o = run_service("    cap_add: [net_admin, CAP_SYS_TIME, SYS_TIME]\n    cap_drop: [ALL]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service().cap_add, ElementsAre("NET_ADMIN", "SYS_TIME"));
  EXPECT_THAT(o.service().cap_drop, ElementsAre("ALL"));
}

TEST(NormalizeCapabilities, UnknownWithSuggestion) {
  auto o = run_service("    cap_add: [NET_ADMN, FLY]\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:4:15: services.a.cap_add[0]: unknown capability 'NET_ADMN' (did you mean 'NET_ADMIN'?)\n"
            "stack.yaml:4:25: services.a.cap_add[1]: unknown capability 'FLY'");
}

TEST(NormalizeNetworks, DriverOptionsStackReadsAndIpv6AreJudged) {
  auto o = run("services:\n  a: {image: x}\nnetworks:\n  n:\n    enable_ipv6: true\n    driver_opts:\n"
               "      com.docker.network.driver.mtu: '20'\n      stack.dns.forward: 'maybe'\n"
               "      com.docker.network.bridge.enable_ip_masquerade: 'F'\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:5:18: networks.n.enable_ipv6: an IPv6 subnet is required: add one to ipam.config (stack has no default IPv6 pool)\n"
            "stack.yaml:7:38: networks.n.driver_opts.com.docker.network.driver.mtu: '20' is not an MTU (68 to 65535)\n"
            "stack.yaml:8:26: networks.n.driver_opts.stack.dns.forward: 'maybe' is not a boolean (true or false)");
}

TEST(NormalizeSysctls, MapAndList) {
  auto o = run("services:\n  a: {image: x, sysctls: {net.core.somaxconn: 1024}}\n"
               "  b: {image: x, sysctls: ['net.ipv4.ip_forward=1']}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service("a").sysctls, ElementsAre(Pair("net.core.somaxconn", "1024")));
  EXPECT_THAT(o.service("b").sysctls, ElementsAre(Pair("net.ipv4.ip_forward", "1")));
  auto bad = run_service("    sysctls: 5\n");
  EXPECT_EQ(bad.errors(), "stack.yaml:4:14: services.a.sysctls: expected a mapping or a list, got a number");
}

TEST(NormalizeSecurityOpt, KnownOptions) {
  auto o = run_service("    security_opt: ['no-new-privileges:true', 'seccomp=unconfined']\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service().security_opt, ElementsAre("no-new-privileges:true", "seccomp=unconfined"));
  auto bad = run_service("    security_opt: ['seccom=x']\n");
  EXPECT_EQ(bad.errors(), "stack.yaml:4:20: services.a.security_opt[0]: unknown security option 'seccom' "
                          "(did you mean 'seccomp'?)");
}

TEST(NormalizeTopLevelNetworks, AuxAddressesInsideTheSubnet) {
  auto o = run("services: {}\nnetworks:\n  n:\n    ipam:\n      config:\n        - subnet: 10.6.0.0/24\n"
               "          aux_addresses: {router: 10.6.0.2}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.stack->networks[0].ipam[0].aux_addresses, ElementsAre(Pair("router", *util::Ipv4::parse("10.6.0.2"))));
  auto bad = run("services: {}\nnetworks:\n  n:\n    ipam:\n      config:\n        - subnet: 10.6.0.0/24\n"
                 "          aux_addresses: {far: 10.7.0.2, word: x}\n");
  EXPECT_EQ(bad.errors(),
            "stack.yaml:7:32: networks.n.ipam.config[0].aux_addresses.far: '10.7.0.2' is outside subnet '10.6.0.0/24'\n"
            "stack.yaml:7:48: networks.n.ipam.config[0].aux_addresses.word: 'x' is not an IPv4 address");
}

}  // namespace
}  // namespace stack::spec
