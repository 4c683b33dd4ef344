#include "util/bytes.hpp"

#include <gtest/gtest.h>

namespace stack::util {
namespace {

TEST(ParseBytes, AcceptsDockerUnits) {
  const std::pair<const char*, int64_t> cases[] = {
      {"0", 0},
      {"100", 100},
      {"2b", 2},
      {"2B", 2},
      {"100k", 100 * 1024},
      {"100K", 100 * 1024},
      {"512m", 512LL << 20},
      {"512MB", 512LL << 20},
      {"512mib", 512LL << 20},
      {"1g", 1LL << 30},
      {"1.5GB", 3LL << 29},
      {"1.5 g", 3LL << 29},
      {"2t", 2LL << 40},
      {"1p", 1LL << 50},
      {"0.5k", 512},
      {"1.1b", 1},  // fractions of a byte are truncated, as go-units does
      {"9223372036854775807", INT64_MAX},
      {"8191p", 8191LL << 50},
  };
  for (const auto& [text, bytes] : cases) {
    auto b = parse_bytes(text);
    ASSERT_TRUE(b) << text << ": " << b.error().message();
    EXPECT_EQ(*b, bytes) << text;
  }
}

TEST(ParseBytes, RejectsMalformedAndOverflow) {
  const char* bad[] = {"", "-1", "m", "1x", "1kk", "1kbb", "1bi", "1.2.3", "abc", "1e3",
                       "9223372036854775808", "8192p", "10000000000000000000000"};
  for (const char* text : bad) EXPECT_FALSE(parse_bytes(text)) << text;
}

TEST(ParseBytes, ExplainsTheError) {
  EXPECT_EQ(parse_bytes("1x").error().message(), "\"1x\" is not a valid size: unknown unit 'x'");
  EXPECT_EQ(parse_bytes("-1").error().message(), "\"-1\" is not a valid size: negative");
  EXPECT_EQ(parse_bytes("8192p").error().message(), "\"8192p\" is not a valid size: out of range");
}

TEST(FormatBytes, UsesTheLargestExactUnit) {
  EXPECT_EQ(format_bytes(1LL << 30), "1g");
  EXPECT_EQ(format_bytes(512LL << 20), "512m");
  EXPECT_EQ(format_bytes(3072), "3k");
  EXPECT_EQ(format_bytes(100), "100");
  EXPECT_EQ(format_bytes(0), "0");
}

}  // namespace
}  // namespace stack::util
