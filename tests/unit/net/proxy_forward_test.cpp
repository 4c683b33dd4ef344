#include "net/proxy/forward.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

TEST(ProxyForward, DescribesAHostRange) {
  Forward f{Protocol::tcp, Ipv4{}, 8000, *Ipv4::parse("10.0.0.2"), 80, 8010};
  EXPECT_EQ(describe_listen(f), "0.0.0.0:8000-8010/tcp");
}

TEST(ProxyForward, JsonRoundTrips) {
  for (const Forward& f : {Forward{Protocol::udp, *Ipv4::parse("127.0.0.1"), 5353, *Ipv4::parse("10.0.0.2"), 53},
                           Forward{Protocol::tcp, Ipv4{}, 8000, *Ipv4::parse("10.0.0.3"), 80, 8010}}) {
    auto back = decode_forward(encode_forward(f));
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(*back, f);
  }
  EXPECT_FALSE(encode_forward(Forward{}).contains("host_port_last"));  // no range: not written
}

TEST(ProxyForward, JsonErrorsNameTheField) {
  nlohmann::json j = encode_forward(Forward{Protocol::tcp, Ipv4{}, 80, *Ipv4::parse("10.0.0.2"), 80});
  j["protocol"] = "sctp";
  auto proto = decode_forward(j);
  ASSERT_FALSE(proto);
  EXPECT_EQ(proto.error().code(), util::Errc::unsupported);
  j["protocol"] = "tcp";
  j["target_ip"] = "web";
  auto target = decode_forward(j);
  ASSERT_FALSE(target);
  EXPECT_EQ(target.error().message().rfind("target_ip: ", 0), 0u) << target.error().message();
}

}  // namespace
}  // namespace stack::net::proxy
