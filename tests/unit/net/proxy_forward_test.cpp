#include "net/proxy/forward.hpp"

#include <gtest/gtest.h>

namespace stack::net::proxy {
namespace {

TEST(ProxyForward, DescribesTheListeningSide) {
  Forward f{Protocol::udp, *Ipv4::parse("127.0.0.1"), 5353, *Ipv4::parse("10.0.0.2"), 53};
  EXPECT_EQ(describe_listen(f), "127.0.0.1:5353/udp");
  f.protocol = Protocol::tcp;
  f.host_ip = Ipv4{};
  EXPECT_EQ(describe_listen(f), "0.0.0.0:5353/tcp");
}

TEST(ProxyForward, ParsesProtocols) {
  EXPECT_EQ(*parse_protocol("tcp"), Protocol::tcp);
  EXPECT_EQ(*parse_protocol("udp"), Protocol::udp);
  auto bad = parse_protocol("sctp");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), util::Errc::unsupported);
  EXPECT_STREQ(protocol_name(Protocol::udp), "udp");
}

}  // namespace
}  // namespace stack::net::proxy
