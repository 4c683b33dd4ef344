// AAAA and ip6.arpa PTR answers for names with IPv6 addresses (enable_ipv6 networks); A answers
// unchanged beside them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "net/dns/answer.hpp"
#include "support/addresses.hpp"

namespace stack::net::dns {
namespace {

using ::stack::test::ip;
using ::stack::test::ip6;
using ::testing::HasSubstr;

const Records kDualStack = {{"web", Addresses({ip("10.1.0.2")}, {ip6("fd5c:1::2")})},
                            {"demo-web-1", Addresses({ip("10.1.0.2")}, {ip6("fd5c:1::2")})},
                            {"db", {ip("10.1.0.3")}}};

ReplyHeader reply_header6(const Decision& d) {
  EXPECT_EQ(d.kind, Decision::Kind::reply);
  return peek_reply_header(d.reply).value_or(ReplyHeader{});
}

TEST(DnsAnswer6, AaaaGetsTheIpv6AddressesAndAStaysIpv4) {
  Decision aaaa = decide(build_query(1, "Web", kTypeAaaa), kDualStack, {});
  EXPECT_EQ(reply_header6(aaaa).rcode, Rcode::noerror);
  EXPECT_TRUE(reply_header6(aaaa).authoritative);
  EXPECT_EQ(*parse_aaaa_answers(aaaa.reply), std::vector<Ipv6>{ip6("fd5c:1::2")});
  EXPECT_TRUE(parse_a_answers(aaaa.reply)->empty());
  Decision a = decide(build_query(2, "web"), kDualStack, {});
  EXPECT_EQ(*parse_a_answers(a.reply), std::vector<Ipv4>{ip("10.1.0.2")});
  EXPECT_TRUE(parse_aaaa_answers(a.reply)->empty());
  Decision any = decide(build_query(3, "web", kTypeAny), kDualStack, {});
  EXPECT_EQ(reply_header6(any).answer_count, 2);
}

TEST(DnsAnswer6, AaaaForAnIpv4OnlyNameIsNoErrorWithoutAnswers) {
  Decision d = decide(build_query(1, "db", kTypeAaaa), kDualStack, {.forward = true});
  EXPECT_EQ(reply_header6(d).rcode, Rcode::noerror);
  EXPECT_EQ(reply_header6(d).answer_count, 0);
}

TEST(DnsAnswer6, ReverseNameIsNibblesUnderIp6Arpa) {
  EXPECT_EQ(reverse_name6(ip6("fd5c:1::2")),
            "2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.c.5.d.f.ip6.arpa");
}

TEST(DnsAnswer6, PtrNamesEveryNameOfTheAddress) {
  Decision d = decide(build_query(1, reverse_name6(ip6("fd5c:1::2")), kTypePtr), kDualStack, {});
  ReplyHeader h = reply_header6(d);
  EXPECT_EQ(h.rcode, Rcode::noerror);
  EXPECT_TRUE(h.authoritative);
  EXPECT_EQ(h.answer_count, 2);
  EXPECT_THAT(d.reply, HasSubstr(std::string("\x0a") + "demo-web-1" + '\0'));
  EXPECT_THAT(d.reply, HasSubstr(std::string("\x03") + "web" + '\0'));
  // An address nobody holds is not ours: forwarded, or SERVFAIL, as any unknown name.
  Decision other = decide(build_query(2, reverse_name6(ip6("fd5c:1::9")), kTypePtr), kDualStack, {});
  EXPECT_EQ(reply_header6(other).rcode, Rcode::servfail);
  EXPECT_EQ(decide(build_query(3, reverse_name6(ip6("fd5c:1::9")), kTypePtr), kDualStack, {.forward = true}).kind,
            Decision::Kind::forward);
}

TEST(DnsAnswer6, RecordsFileCarriesBothFamilies) {
  auto back = decode_records(encode_records(kDualStack));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, kDualStack);
  EXPECT_THAT(encode_records(kDualStack), HasSubstr("\"fd5c:1::2\""));
  EXPECT_FALSE(decode_records(R"({"names": {"web": ["fd5c::zz"]}})"));
}

}  // namespace
}  // namespace stack::net::dns
