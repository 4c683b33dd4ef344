// ports: (short and long syntax, ranges, what cannot be published: sctp, IPv6 hosts) and expose:.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/normalize.hpp"
#include "spec/reader.hpp"
#include "unit/spec/normalize_fixture.hpp"

namespace stack::spec {
namespace {

using namespace stack::spec::testing;

Port port(std::string ip, uint16_t min, uint16_t max, uint16_t target, std::string proto = "tcp") {
  Port p;
  p.host_ip = std::move(ip);
  p.published_min = min;
  p.published_max = max;
  p.target = target;
  p.protocol = std::move(proto);
  return p;
}

TEST(NormalizePorts, ShortSyntax) {
  auto o = run_service("    ports:\n      - 80\n      - '8080:80'\n      - 127.0.0.1:5432:5432/TCP\n"
                       "      - '127.0.0.2:53:53/udp'\n      - '127.0.0.1::9000'\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service().ports,
              ::testing::ElementsAre(port("", 0, 0, 80), port("", 8080, 8080, 80),
                                     port("127.0.0.1", 5432, 5432, 5432), port("127.0.0.2", 53, 53, 53, "udp"),
                                     port("127.0.0.1", 0, 0, 9000)));
}

// The proxy publishes tcp and udp; sctp is refused in the file (expose, which only documents, keeps it).
TEST(NormalizePorts, SctpIsRefusedForPublishedPorts) {
  auto o = run_service("    ports:\n      - 80:80/sctp\n      - {target: 81, protocol: SCTP}\n"
                       "    expose: ['9090/sctp']\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:5:9: services.a.ports[0]: not supported yet: sctp (published ports are proxied for tcp "
            "and udp only)\n"
            "stack.yaml:6:32: services.a.ports[1].protocol: not supported yet: sctp (published ports are "
            "proxied for tcp and udp only)");
}

// IPv6 host addresses are read in docker's syntax, brackets or not.
TEST(NormalizePorts, Ipv6HostAddresses) {
  auto o = run_service("    ports:\n      - '[::1]:53:53/udp'\n      - {target: 80, host_ip: '::'}\n"
                       "      - '::1:81:81'\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const auto& ports = o.service().ports;
  ASSERT_EQ(ports.size(), 3u);
  EXPECT_EQ(ports[0].host_ip, "::1");
  EXPECT_EQ(ports[0].protocol, "udp");
  EXPECT_EQ(ports[1].host_ip, "::");
  EXPECT_EQ(ports[2].host_ip, "::1");
  EXPECT_EQ(ports[2].published_min, 81);
}

TEST(NormalizePorts, NetworkModeWithoutANetworkOfItsOwnCannotPublish) {
  auto o = run_service("    network_mode: none\n    ports: ['80:80']\n");
  EXPECT_EQ(o.errors(), "stack.yaml:5:12: services.a.ports: cannot publish ports with network_mode none (the "
                        "container has no network of its own to publish from)");
  auto host = run_service("    network_mode: host\n    ports: ['80:80']\n");
  ASSERT_TRUE(host.stack) << host.errors();
  ASSERT_EQ(host.diags.warnings().size(), 1u);
  EXPECT_EQ(host.diags.warnings()[0].format(),
            "stack.yaml:5:12: services.a.ports: published ports are discarded with network_mode host (as docker does)");
}

TEST(NormalizePorts, RangesExpandPerPort) {
  auto o = run_service("    ports:\n      - '8000-8002:9000-9002'\n      - '3000-3005:80'\n"
                       "      - '7000-7001'\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service().ports,
              ::testing::ElementsAre(port("", 8000, 8000, 9000), port("", 8001, 8001, 9001),
                                     port("", 8002, 8002, 9002), port("", 3000, 3005, 80),
                                     port("", 0, 0, 7000), port("", 0, 0, 7001)));
}

TEST(NormalizePorts, InvalidShortSyntax) {
  auto o = run_service("    ports:\n      - '80'\n      - '80:80:80:80'\n      - '70000:80'\n"
                       "      - '8000-8001:9000-9003'\n      - '80/icmp'\n      - 'x:80'\n      - '90-80'\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:6:9: services.a.ports[1]: \"80:80:80:80\" is not a valid port mapping\n"
            "stack.yaml:7:9: services.a.ports[2]: \"70000:80\" is not a valid port mapping\n"
            "stack.yaml:8:9: services.a.ports[3]: \"8000-8001:9000-9003\" is not a valid port mapping\n"
            "stack.yaml:9:9: services.a.ports[4]: \"80/icmp\" is not a valid port mapping\n"
            "stack.yaml:10:9: services.a.ports[5]: \"x:80\" is not a valid port mapping\n"
            "stack.yaml:11:9: services.a.ports[6]: \"90-80\" is not a valid port mapping");
}

TEST(NormalizePorts, LongSyntax) {
  auto o = run_service("    ports:\n      - target: 80\n        published: '8080'\n        host_ip: 10.0.0.1\n"
                       "        protocol: udp\n        mode: host\n        name: web\n        app_protocol: http\n"
                       "      - {target: 443, published: 8443-8445}\n");
  ASSERT_TRUE(o.stack) << o.errors();
  const auto& ports = o.service().ports;
  ASSERT_EQ(ports.size(), 2u);
  Port want = port("10.0.0.1", 8080, 8080, 80, "udp");
  want.mode = "host";
  want.name = "web";
  want.app_protocol = "http";
  EXPECT_EQ(ports[0], want);
  EXPECT_EQ(ports[1], port("", 8443, 8445, 443));
}

TEST(NormalizePorts, LongSyntaxErrors) {
  auto o = run_service("    ports:\n      - published: 80\n      - target: 0\n      - target: 80\n        protocl: tcp\n"
                       "      - target: 80\n        mode: swarm\n      - target: 80\n        host_ip: nope\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:5:9: services.a.ports[0]: missing 'target'\n"
            "stack.yaml:6:17: services.a.ports[1].target: 0 is out of range (1 to 65535)\n"
            "stack.yaml:8:9: services.a.ports[2]: unknown key 'protocl' (did you mean 'protocol'?)\n"
            "stack.yaml:10:15: services.a.ports[3].mode: unknown mode 'swarm' (host or ingress)\n"
            "stack.yaml:12:18: services.a.ports[4].host_ip: 'nope' is not a valid ip address");
}

TEST(NormalizePorts, WrongType) {
  auto o = run_service("    ports:\n      web: 80\n");
  EXPECT_EQ(o.errors(), "stack.yaml:5:7: services.a.ports: expected a list, got a mapping");
}

TEST(NormalizeExpose, AcceptsPortsAndRanges) {
  auto o = run_service("    expose: [80, '8000-8010/udp', 9000/tcp]\n");
  ASSERT_TRUE(o.stack) << o.errors();
  EXPECT_THAT(o.service().expose, ::testing::ElementsAre("80", "8000-8010/udp", "9000/tcp"));
}

TEST(NormalizeExpose, RejectsInvalid) {
  auto o = run_service("    expose: [80, 'http', 99999]\n");
  EXPECT_EQ(o.errors(),
            "stack.yaml:4:18: services.a.expose[1]: \"http\" is not a valid port\n"
            "stack.yaml:4:26: services.a.expose[2]: \"99999\" is not a valid port");
}

}  // namespace
}  // namespace stack::spec
