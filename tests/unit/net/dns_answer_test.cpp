#include "net/dns/answer.hpp"

#include <gtest/gtest.h>

#include "support/addresses.hpp"

namespace stack::net::dns {
namespace {

using ::stack::test::ip;

const Records kRecords = {{"web", {ip("10.1.0.2"), ip("10.1.0.3")}}, {"demo-db-1", {ip("10.1.0.9")}}};

ReplyHeader header_of(const Decision& d) {
  EXPECT_EQ(d.kind, Decision::Kind::reply);
  auto h = peek_reply_header(d.reply);
  EXPECT_TRUE(h);
  return h.value_or(ReplyHeader{});
}

TEST(DnsAnswer, OwnedNameGetsItsARecordsWhateverTheCase) {
  for (const char* name : {"web", "WEB", "Web.", "wEb"}) {
    Decision d = decide(build_query(1, name), kRecords, {});
    ReplyHeader h = header_of(d);
    EXPECT_EQ(h.rcode, Rcode::noerror) << name;
    EXPECT_TRUE(h.authoritative);
    EXPECT_EQ(*parse_a_answers(d.reply), (std::vector<Ipv4>{ip("10.1.0.2"), ip("10.1.0.3")})) << name;
  }
}

TEST(DnsAnswer, OwnedNameWithAnotherTypeIsAnEmptyAnswer) {
  Decision d = decide(build_query(1, "web", 28 /* AAAA */), kRecords, {.forward = true});
  ReplyHeader h = header_of(d);
  EXPECT_EQ(h.rcode, Rcode::noerror);
  EXPECT_EQ(h.answer_count, 0);
}

TEST(DnsAnswer, AnyGetsTheARecords) {
  Decision d = decide(build_query(1, "demo-db-1", kTypeAny), kRecords, {});
  EXPECT_EQ(parse_a_answers(d.reply)->size(), 1u);
}

TEST(DnsAnswer, UnknownNameIsServfailWithoutForwardingAndForwardedWithIt) {
  ReplyHeader h = header_of(decide(build_query(1, "example.org"), kRecords, {}));
  EXPECT_EQ(h.rcode, Rcode::servfail);
  EXPECT_FALSE(h.authoritative);
  EXPECT_EQ(decide(build_query(1, "example.org"), kRecords, {.forward = true}).kind,
            Decision::Kind::forward);
  // A name that only ends in an owned one is not owned.
  EXPECT_EQ(header_of(decide(build_query(1, "web.demo"), kRecords, {})).rcode, Rcode::servfail);
}

TEST(DnsAnswer, UnsupportedOpcodeIsNotimp) {
  std::string q = build_query(1, "web");
  q[2] = static_cast<char>(q[2] | (2 << 3));  // opcode STATUS
  EXPECT_EQ(header_of(decide(q, kRecords, {})).rcode, Rcode::notimp);
}

TEST(DnsAnswer, TwoQuestionsAreNotimpAndNoneIsFormerr) {
  std::string q = build_query(1, "web");
  std::string two = q + q.substr(kHeaderSize);
  two[5] = 2;
  EXPECT_EQ(header_of(decide(two, kRecords, {})).rcode, Rcode::notimp);
  std::string none = q.substr(0, kHeaderSize);
  none[5] = 0;
  EXPECT_EQ(header_of(decide(none, kRecords, {})).rcode, Rcode::formerr);
}

TEST(DnsAnswer, OtherClassIsRefused) {
  std::string q = build_query(1, "web");
  q[q.size() - 1] = 3;  // CH
  EXPECT_EQ(header_of(decide(q, kRecords, {})).rcode, Rcode::refused);
}

TEST(DnsAnswer, MalformedWithAHeaderIsFormerrAndRuntsAndResponsesAreDropped) {
  std::string q = build_query(0x55, "web");
  Decision bad = decide(q.substr(0, q.size() - 2), kRecords, {});
  EXPECT_EQ(header_of(bad).rcode, Rcode::formerr);
  EXPECT_EQ(header_of(bad).id, 0x55);
  EXPECT_EQ(decide("abc", kRecords, {}).kind, Decision::Kind::drop);
  std::string response = q;
  response[2] = static_cast<char>(response[2] | 0x80);
  EXPECT_EQ(decide(response, kRecords, {}).kind, Decision::Kind::drop);
  EXPECT_EQ(decide(response.substr(0, response.size() - 1), kRecords, {}).kind, Decision::Kind::drop);
}

TEST(DnsAnswer, UdpSizeLimitSetsTruncation) {
  Records many;
  for (uint32_t i = 0; i < 60; ++i) many["big"].v4.push_back(Ipv4{0x0A000000u + i});
  ReplyHeader udp = header_of(decide(build_query(1, "big"), many, {.max_size = kUdpMaxSize}));
  EXPECT_TRUE(udp.truncated);
  ReplyHeader tcp = header_of(decide(build_query(1, "big"), many, {}));
  EXPECT_FALSE(tcp.truncated);
  EXPECT_EQ(tcp.answer_count, 60);
}

}  // namespace
}  // namespace stack::net::dns
