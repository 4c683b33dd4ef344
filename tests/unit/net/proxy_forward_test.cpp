#include "net/proxy/forward.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace stack::net::proxy {
namespace {

TEST(ProxyForward, DescribesTheListeningSide) {
  Forward f{Protocol::udp, "127.0.0.1", 5353, *Ipv4::parse("10.0.0.2"), 53};
  EXPECT_EQ(describe_listen(f), "127.0.0.1:5353/udp");
  f.protocol = Protocol::tcp;
  f.host_ip = "0.0.0.0";
  EXPECT_EQ(describe_listen(f), "0.0.0.0:5353/tcp");
  f.host_ip = "::1";
  EXPECT_EQ(describe_listen(f), "[::1]:5353/tcp");
  f.host_ip = "";
  EXPECT_EQ(describe_listen(f), "*:5353/tcp");
}

TEST(ProxyForward, HostAddressesOfEitherFamilyAndNoneMeaningBoth) {
  EXPECT_EQ(*parse_host_ip(""), "");
  EXPECT_EQ(*parse_host_ip("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(*parse_host_ip("0:0::0001"), "::1");
  EXPECT_EQ(parse_host_ip("localhost").error().message(), "'localhost' is not an IPv4 or IPv6 address");
  EXPECT_EQ(listen_ips(Forward{}), (std::vector<std::string>{"0.0.0.0", "::"}));
  EXPECT_EQ(listen_ips(Forward{Protocol::tcp, "::1"}), (std::vector<std::string>{"::1"}));
  EXPECT_EQ(with_brackets("::"), "[::]");
  EXPECT_EQ(with_brackets("10.0.0.1"), "10.0.0.1");
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
  Forward f{Protocol::tcp, "0.0.0.0", 8000, *Ipv4::parse("10.0.0.2"), 80, 8010};
  EXPECT_EQ(describe_listen(f), "0.0.0.0:8000-8010/tcp");
}

TEST(ProxyForward, JsonRoundTrips) {
  for (const Forward& f : {Forward{Protocol::udp, "127.0.0.1", 5353, *Ipv4::parse("10.0.0.2"), 53},
                           Forward{Protocol::tcp, "", 8000, *Ipv4::parse("10.0.0.3"), 80, 8010},
                           Forward{Protocol::tcp, "::1", 8000, *Ipv4::parse("10.0.0.3"), 80}}) {
    auto back = decode_forward(encode_forward(f));
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(*back, f);
  }
  EXPECT_FALSE(encode_forward(Forward{}).contains("host_port_last"));  // no range: not written
}

TEST(ProxyForward, JsonErrorsNameTheField) {
  nlohmann::json j = encode_forward(Forward{Protocol::tcp, "", 80, *Ipv4::parse("10.0.0.2"), 80});
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
