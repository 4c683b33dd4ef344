#include "net/dns/message.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "support/addresses.hpp"

namespace stack::net::dns {
namespace {

using ::testing::HasSubstr;

using ::stack::test::ip;

// A header with the given counts, followed by body.
std::string message(std::uint16_t qd, std::uint16_t an, std::uint16_t ns, std::uint16_t ar,
                    const std::string& body, std::uint16_t flags = 0x0100) {
  std::string out = {'\x12', '\x34', static_cast<char>(flags >> 8), static_cast<char>(flags & 0xFF),
                     0, static_cast<char>(qd), 0, static_cast<char>(an),
                     0, static_cast<char>(ns), 0, static_cast<char>(ar)};
  return out + body;
}

const std::string kQuestion = std::string("\3web\4demo\0", 10) + std::string("\0\1\0\1", 4);

// A query with an EDNS OPT record in the additional section, as dig and glibc send them.
std::string query_with_opt() {
  const std::string opt = std::string("\0", 1) + std::string("\0\x29\x10\0\0\0\0\0\0\0", 10);
  return message(1, 0, 0, 1, kQuestion + opt);
}

TEST(DnsMessage, ParsesAQuery) {
  auto m = parse_message(build_query(0xBEEF, "Web.Demo", kTypeA));
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->id, 0xBEEF);
  EXPECT_FALSE(m->is_response);
  EXPECT_EQ(m->opcode, kOpcodeQuery);
  EXPECT_TRUE(m->recursion_desired);
  ASSERT_EQ(m->questions.size(), 1u);
  EXPECT_EQ(m->questions[0], (Question{"Web.Demo", kTypeA, kClassIn}));
}

TEST(DnsMessage, ParsesAndSkipsAnEdnsRecord) {
  auto m = parse_message(query_with_opt());
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->questions[0].name, "web.demo");
  EXPECT_EQ(m->question_wire, kQuestion);
}

TEST(DnsMessage, RootNameIsEmpty) {
  auto m = parse_message(message(1, 0, 0, 0, std::string("\0\0\1\0\1", 5)));
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->questions[0].name, "");
}

TEST(DnsMessage, FollowsABackwardCompressionPointer) {
  // Question 1 "web.demo", question 2 "api" + pointer to "demo" (offset 12 + 4).
  const std::string q2 = std::string("\3api\xC0\x10", 6) + std::string("\0\1\0\1", 4);
  auto m = parse_message(message(2, 0, 0, 0, kQuestion + q2));
  ASSERT_TRUE(m) << m.error().message();
  ASSERT_EQ(m->questions.size(), 2u);
  EXPECT_EQ(m->questions[1].name, "api.demo");
}

TEST(DnsMessage, EveryTruncationIsRejected) {
  for (const std::string& whole : {build_query(1, "web.demo"), query_with_opt(),
                                   message(2, 0, 0, 0, kQuestion + std::string("\3api\xC0\x10\0\1\0\1", 10))}) {
    ASSERT_TRUE(parse_message(whole));
    for (std::size_t n = 0; n < whole.size(); ++n) {
      auto m = parse_message(whole.substr(0, n));
      EXPECT_FALSE(m) << "accepted the first " << n << " of " << whole.size() << " bytes";
      if (!m) {
        EXPECT_EQ(m.error().code(), util::Errc::parse);
      }
    }
  }
}

TEST(DnsMessage, RejectsAPointerToItself) {
  auto m = parse_message(message(1, 0, 0, 0, std::string("\xC0\x0C\0\1\0\1", 6)));
  ASSERT_FALSE(m);
  EXPECT_THAT(m.error().message(), HasSubstr("compression pointer"));
}

TEST(DnsMessage, RejectsAPointerLoopBetweenTwoNames) {
  // Name 1 at 12: "a" then a pointer forward to 17; name 2 at 17: "b" then a pointer back to 12.
  const std::string body = std::string("\1a\xC0\x11", 4) + std::string("\0\1", 2) +
                           std::string("\1b\xC0\x0C", 4);
  EXPECT_FALSE(parse_message(message(1, 0, 0, 0, body)));
  // A pointer that goes back to a label which leads to the same pointer again.
  EXPECT_FALSE(parse_message(message(1, 0, 0, 0, std::string("\1a\xC0\x0C\0\1\0\1", 8))));
}

TEST(DnsMessage, RejectsPointersIntoTheHeader) {
  EXPECT_FALSE(parse_message(message(1, 0, 0, 0, std::string("\xC0\x02\0\1\0\1", 6))));
}

TEST(DnsMessage, RejectsBadLabels) {
  EXPECT_FALSE(parse_message(message(1, 0, 0, 0, std::string("\x40", 1) + std::string(64, 'a') + std::string("\0\0\1\0\1", 5))));
  EXPECT_FALSE(parse_message(message(1, 0, 0, 0, std::string("\x80\0\0\1\0\1", 6))));
  EXPECT_FALSE(parse_message(message(1, 0, 0, 0, std::string("\3a.b\0\0\1\0\1", 9))));
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(1, 63) + std::string(63, 'x');
  EXPECT_FALSE(parse_message(message(1, 0, 0, 0, long_name + std::string("\0\0\1\0\1", 5))));
}

TEST(DnsMessage, RandomBytesNeverCrash) {
  std::mt19937 rng(42);
  const std::string valid = query_with_opt();
  for (int i = 0; i < 20000; ++i) {
    std::string wire = valid;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) wire[rng() % wire.size()] = static_cast<char>(rng());
    if (rng() % 3 == 0) wire.resize(rng() % (wire.size() + 1));
    auto m = parse_message(wire);
    if (m) {
      // Whatever parsed, a reply can be built from it.
      EXPECT_GE(build_reply(*m, {}).size(), kHeaderSize);
    }
  }
}

TEST(DnsMessage, ReplyEchoesTheQuestionAndCarriesARecords) {
  auto q = parse_message(build_query(7, "Web.Demo"));
  ASSERT_TRUE(q);
  std::string wire = build_reply(*q, {.authoritative = true, .addresses = {ip("10.1.0.2"), ip("10.1.0.3")}});
  auto h = peek_reply_header(wire);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->id, 7);
  EXPECT_EQ(h->rcode, Rcode::noerror);
  EXPECT_TRUE(h->authoritative);
  EXPECT_FALSE(h->truncated);
  EXPECT_EQ(h->answer_count, 2);
  auto answers = parse_a_answers(wire);
  ASSERT_TRUE(answers) << answers.error().message();
  EXPECT_EQ(*answers, (std::vector<Ipv4>{ip("10.1.0.2"), ip("10.1.0.3")}));
  // The reply parses as a message, with the question as asked (case kept).
  auto back = parse_message(wire);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(back->is_response);
  EXPECT_EQ(back->questions[0].name, "Web.Demo");
}

TEST(DnsMessage, UdpRepliesOverflowingFiveHundredTwelveBytesAreTruncated) {
  auto q = parse_message(build_query(9, "many"));
  ASSERT_TRUE(q);
  std::vector<Ipv4> addresses;
  for (uint32_t i = 0; i < 100; ++i) addresses.push_back(Ipv4{0x0A000000u + i});
  std::string wire = build_reply(*q, {.addresses = addresses, .max_size = kUdpMaxSize});
  EXPECT_LE(wire.size(), kUdpMaxSize);
  auto h = peek_reply_header(wire);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->truncated);
  EXPECT_EQ(h->answer_count, (kUdpMaxSize - wire.size() + h->answer_count * 16) / 16);
  EXPECT_EQ(parse_a_answers(wire)->size(), h->answer_count);
  // Over TCP all of them fit.
  std::string tcp = build_reply(*q, {.addresses = addresses});
  EXPECT_FALSE(peek_reply_header(tcp)->truncated);
  EXPECT_EQ(parse_a_answers(tcp)->size(), 100u);
}

TEST(DnsMessage, HeaderOnlyReply) {
  std::string wire = build_header_reply(0x4242, Rcode::formerr);
  ASSERT_EQ(wire.size(), kHeaderSize);
  EXPECT_EQ(peek_reply_header(wire)->rcode, Rcode::formerr);
  EXPECT_EQ(peek_reply_header(wire)->id, 0x4242);
  EXPECT_EQ(peek_id("short"), std::nullopt);
}

TEST(DnsMessage, TcpFraming) {
  std::string stream = with_length_prefix("abc") + with_length_prefix("");
  std::string partial = stream.substr(0, 4);
  EXPECT_EQ(take_framed(partial), std::nullopt);
  EXPECT_EQ(partial.size(), 4u);  // nothing consumed
  EXPECT_EQ(take_framed(stream), "abc");
  EXPECT_EQ(take_framed(stream), "");
  EXPECT_TRUE(stream.empty());
  std::string big = with_length_prefix(std::string(300, 'x'));
  EXPECT_EQ(static_cast<unsigned char>(big[0]), 1u);
  EXPECT_EQ(static_cast<unsigned char>(big[1]), 44u);
}

TEST(DnsMessage, CanonicalNames) {
  EXPECT_EQ(canonical_name("Web.DEMO."), "web.demo");
  EXPECT_EQ(canonical_name("web"), "web");
  EXPECT_EQ(canonical_name("."), "");
}

}  // namespace
}  // namespace stack::net::dns
