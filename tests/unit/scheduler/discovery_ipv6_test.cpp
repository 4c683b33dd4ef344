// A container's IPv6 address in what discovery writes: its own and its peers' /etc/hosts lines,
// the network's DNS names, and endpoint.json.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/discovery.hpp"

namespace stack::scheduler {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

Endpoint dual_endpoint(const std::string& container, const std::string& service, const std::string& ip,
                       const std::string& ip6) {
  Endpoint e;
  e.container = container;
  e.service = service;
  e.hostname = container;
  e.networks["demo_default"] = {ip, {}, ip6};
  return e;
}

TEST(DiscoveryIpv6, HostsHaveTheIpv6LineBesideTheIpv4One) {
  Endpoint web = dual_endpoint("demo-web-1", "web", "10.0.1.2", "fd5c::2");
  Endpoint db = dual_endpoint("demo-db-1", "db", "10.0.1.3", "");
  const std::string hosts = render_hosts(db, {web, db});
  EXPECT_THAT(hosts, HasSubstr("10.0.1.2\tweb demo-web-1\nfd5c::2\tweb demo-web-1\n"));
  EXPECT_THAT(hosts, HasSubstr("10.0.1.3\tdemo-db-1\n"));
  EXPECT_THAT(render_hosts(web, {web, db}), HasSubstr("fd5c::2\tdemo-web-1\n"));
}

TEST(DiscoveryIpv6, DnsNamesCarryBothAddresses) {
  Endpoint web = dual_endpoint("demo-web-1", "web", "10.0.1.2", "fd5c::2");
  auto names = dns_names("demo_default", {web});
  EXPECT_THAT(names.at("web"), ElementsAre("10.0.1.2", "fd5c::2"));
  EXPECT_THAT(names.at("demo-web-1"), ElementsAre("10.0.1.2", "fd5c::2"));
}

TEST(DiscoveryIpv6, EndpointFileKeepsTheIpv6Address) {
  Endpoint web = dual_endpoint("demo-web-1", "web", "10.0.1.2", "fd5c::2");
  const std::string text = encode_endpoint(web);
  EXPECT_THAT(text, HasSubstr("\"address6\": \"fd5c::2\""));
  EXPECT_EQ(decode_endpoint(text)->networks.at("demo_default").address6, "fd5c::2");
  Endpoint v4 = dual_endpoint("demo-db-1", "db", "10.0.1.3", "");
  EXPECT_THAT(encode_endpoint(v4), Not(HasSubstr("address6")));
  EXPECT_EQ(decode_endpoint(encode_endpoint(v4))->networks.at("demo_default").address6, "");
}

}  // namespace
}  // namespace stack::scheduler
