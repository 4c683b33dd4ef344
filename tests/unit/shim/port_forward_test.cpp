#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/shim/port_proxy_child.hpp"

namespace stack::runtime::shim {
namespace {

using ::testing::HasSubstr;

TEST(ShimPortForward, MapsOntoTheProxysForward) {
  auto f = to_proxy_forward({"udp", "127.0.0.1", 5353, "10.1.0.2", 53});
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(*f, (net::proxy::Forward{net::proxy::Protocol::udp, *net::Ipv4::parse("127.0.0.1"), 5353,
                                     *net::Ipv4::parse("10.1.0.2"), 53}));
  auto any = to_proxy_forward({"tcp", "", 80, "10.1.0.2", 8080});
  ASSERT_TRUE(any);
  EXPECT_EQ(any->host_ip, net::Ipv4{});  // empty: every host address
}

TEST(ShimPortForward, ErrorsNameThePort) {
  auto proto = to_proxy_forward({"sctp", "0.0.0.0", 80, "10.1.0.2", 80});
  ASSERT_FALSE(proto);
  EXPECT_THAT(proto.error().message(), HasSubstr("port 80/sctp"));
  auto target = to_proxy_forward({"tcp", "0.0.0.0", 80, "web", 80});
  ASSERT_FALSE(target);
  EXPECT_THAT(target.error().message(), HasSubstr("port 80/tcp: target ip"));
  EXPECT_FALSE(start_port_proxy({{"tcp", "::1", 80, "10.1.0.2", 80}}));  // IPv4 only for now
  auto none = start_port_proxy({});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->valid());  // no ports: no child
}

}  // namespace
}  // namespace stack::runtime::shim
