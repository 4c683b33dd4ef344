#include "util/duration.hpp"

#include <gtest/gtest.h>

namespace stack::util {
namespace {

using std::chrono::nanoseconds;

struct Case {
  const char* text;
  int64_t nanos;
};

TEST(ParseDuration, AcceptsGoSyntax) {
  const Case cases[] = {
      {"0", 0},
      {"10s", 10'000'000'000},
      {"1m30s", 90'000'000'000},
      {"250ms", 250'000'000},
      {"1.5h", 5'400'000'000'000},
      {"2h45m", 9'900'000'000'000},
      {"10us", 10'000},
      {"10\xC2\xB5s", 10'000},
      {"7ns", 7},
      {"-1.5h", -5'400'000'000'000},
      {"+5s", 5'000'000'000},
      {".5s", 500'000'000},
      {"1.s", 1'000'000'000},
      {"1h1m1s1ms1us1ns", 3'661'001'001'001},
      {"9223372036854775807ns", INT64_MAX},
      {"0.000000001s", 1},
  };
  for (const auto& c : cases) {
    auto d = parse_duration(c.text);
    ASSERT_TRUE(d) << c.text << ": " << d.error().message();
    EXPECT_EQ(d->count(), c.nanos) << c.text;
  }
}

TEST(ParseDuration, RejectsWhatGoRejects) {
  const char* bad[] = {"", "10", "s", "1x", "1.5", "abc", "-", ".s", "9223372036854775808ns",
                       "3000000h", "1m 30s"};
  for (const char* text : bad) EXPECT_FALSE(parse_duration(text)) << text;
}

TEST(ParseDuration, ExplainsTheError) {
  auto d = parse_duration("10");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message(), "\"10\" is not a valid duration: missing unit");
  EXPECT_EQ(d.error().code(), Errc::invalid_argument);
  EXPECT_EQ(parse_duration("5y").error().message(), "\"5y\" is not a valid duration: unknown unit");
  EXPECT_EQ(parse_duration("99999999999h").error().message(),
            "\"99999999999h\" is not a valid duration: out of range");
}

TEST(FormatDuration, MatchesGoString) {
  EXPECT_EQ(format_duration(nanoseconds(0)), "0s");
  EXPECT_EQ(format_duration(nanoseconds(90'000'000'000)), "1m30s");
  EXPECT_EQ(format_duration(nanoseconds(10'000'000'000)), "10s");
  EXPECT_EQ(format_duration(nanoseconds(250'000'000)), "250ms");
  EXPECT_EQ(format_duration(nanoseconds(5'400'000'000'000)), "1h30m0s");
  EXPECT_EQ(format_duration(nanoseconds(1'500)), "1.5\xC2\xB5s");
  EXPECT_EQ(format_duration(nanoseconds(7)), "7ns");
  EXPECT_EQ(format_duration(nanoseconds(1'500'000'000)), "1.5s");
  EXPECT_EQ(format_duration(nanoseconds(-2'000'000'000)), "-2s");
  EXPECT_EQ(format_duration(nanoseconds(3'600'000'000'000)), "1h0m0s");
}

TEST(FormatDuration, RoundTrips) {
  for (const char* text : {"1h2m3.5s", "1m30s", "250ms", "10s", "1.5\xC2\xB5s", "42ns"}) {
    auto d = parse_duration(text);
    ASSERT_TRUE(d) << text;
    EXPECT_EQ(format_duration(*d), text);
  }
}

}  // namespace
}  // namespace stack::util
