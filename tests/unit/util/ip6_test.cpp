#include "util/ip6.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/addresses.hpp"

namespace stack::util {
namespace {

using ::testing::HasSubstr;
using ::stack::test::ip6;



TEST(Ipv6, ParsesAndFormatsInCanonicalForm) {
  EXPECT_EQ(ip6("FD5C:0231:0059:0000:0000:0000:0000:0002").str(), "fd5c:231:59::2");
  EXPECT_EQ(ip6("::1").lo, 1u);
  EXPECT_EQ(ip6("8000::").hi, uint64_t{1} << 63);
  for (const char* bad : {"", "10.1.1.1", "fd00::/64", "fd00:::1", "g::1"})
    EXPECT_FALSE(Ipv6::parse(bad).has_value()) << bad;
}

TEST(Ipv6, PlusCarriesIntoTheUpperHalf) {
  EXPECT_EQ(ip6("fd00::ffff:ffff:ffff:ffff").plus(1), ip6("fd00:0:0:1::"));
  EXPECT_EQ(ip6("fd00::1").plus(1).str(), "fd00::2");
}

TEST(Subnet6, ParsesAndRejectsHostBits) {
  auto s = Subnet6::parse("fd5c:231:59::/64");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->str(), "fd5c:231:59::/64");
  EXPECT_TRUE(s->contains(ip6("fd5c:231:59::ffff")));
  EXPECT_FALSE(s->contains(ip6("fd5c:231:5a::1")));
  EXPECT_EQ(s->last().str(), "fd5c:231:59:0:ffff:ffff:ffff:ffff");
  auto bad = Subnet6::parse("fd5c:231:59::1/64");
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message(), HasSubstr("did you mean 'fd5c:231:59::/64'"));
  EXPECT_FALSE(Subnet6::parse("fd5c::/129").has_value());
  EXPECT_FALSE(Subnet6::parse("fd5c::").has_value());
}

TEST(Subnet6, ContainsAndOverlapsAcrossTheHalves) {
  const Subnet6 wide = Subnet6::parse("fd5c::/48").value();
  const Subnet6 narrow = Subnet6::parse("fd5c:0:0:1::/64").value();
  const Subnet6 small = Subnet6::parse("fd5c:0:0:1::100/120").value();
  EXPECT_TRUE(wide.contains(narrow));
  EXPECT_TRUE(narrow.contains(small));
  EXPECT_TRUE(small.overlaps(wide));
  EXPECT_FALSE(narrow.overlaps(Subnet6::parse("fd5c:0:0:2::/64").value()));
  EXPECT_EQ(small.last().str(), "fd5c:0:0:1::1ff");
}

}  // namespace
}  // namespace stack::util
